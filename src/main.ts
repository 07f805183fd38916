import { mount } from 'svelte';
import App from './App.svelte';
import { offline } from './lib/state/offline.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
// The service worker (offline use, isolation on header-less hosts) comes with
// the built app only: the dev server sends the headers and must not be cached.
void offline.start(import.meta.env.PROD);
export default mount(App, { target });
