// A real IndexedDB API in Node for the store's tests; wiped per test by the
// store specs themselves.
import 'fake-indexeddb/auto';
