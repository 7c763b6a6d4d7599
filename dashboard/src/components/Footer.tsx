import type { Services } from '../lib/firebase';

export function Footer({ services }: { services: Services | undefined }) {
  return (
    <footer className="bottom-bar">
      {/* Required by the DB-IP Lite licence (CC BY 4.0) of the geolocation data. */}
      <a href="https://db-ip.com">IP Geolocation by DB-IP</a>
      {services && (
        <span className="env">
          {services.emulated ? 'Local emulators' : 'Project'} · {services.app.options.projectId}
        </span>
      )}
    </footer>
  );
}
