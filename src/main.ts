import { mount } from 'svelte';
import App from './App.svelte';
import { offline } from './lib/state/offline.svelte';
import { startStateEffects } from './lib/state/app.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
// The service worker (offline use, isolation on header-less hosts) comes with
// the built app only: the dev server sends the headers and must not be cached.
void offline.start(import.meta.env.PROD);
// Every state effect (per-project loaders, the teacher's cache watcher) starts here, none on import.
startStateEffects();
export default mount(App, { target });
