// The trivial pipeline that bench/pipeline-emulators.ts compares ThreatStream's against:
// decode the message and write one document. Loaded only by the benchmark's own emulator config.
const { initializeApp } = require('firebase-admin/app');
const { getFirestore, Timestamp } = require('firebase-admin/firestore');
const { onMessagePublished } = require('firebase-functions/pubsub');

initializeApp();

exports.baselineWrite = onMessagePublished({ topic: 'bench-baseline', retry: true }, async (cloudEvent) => {
  const message = cloudEvent.data.message;
  const event = JSON.parse(Buffer.from(message.data, 'base64').toString('utf8'));
  await getFirestore()
    .collection('benchBaseline')
    .doc(message.messageId)
    .set({ event_id: event.event_id, createdAt: Timestamp.now() });
});
