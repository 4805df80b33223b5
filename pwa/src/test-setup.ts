// IndexedDB for the outbox tests (happy-dom has none).
import 'fake-indexeddb/auto'
