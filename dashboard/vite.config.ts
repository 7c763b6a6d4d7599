import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `vite build` writes dist/, which Firebase Hosting (and the Hosting emulator on :5000) serves.
// `vite` (the dev server) proxies the API and Hosting's reserved /__/ URLs to the Hosting emulator,
// so the dashboard behaves the same on :5173 with hot reload.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // The Firebase SDK (Auth + Firestore with listeners, ~160 kB gzipped) in a chunk of its own:
    // it changes less often than the app, so browsers keep it cached across deploys.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        codeSplitting: { groups: [{ name: 'firebase', test: /node_modules[\\/](@firebase|firebase)[\\/]/ }] },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': 'http://127.0.0.1:5000',
      '/__': 'http://127.0.0.1:5000',
    },
  },
});
