import { mount } from 'svelte';
import App from './App.svelte';
import { selectBackend } from './lib/selectBackend';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');

mount(App, { target, props: { backend: selectBackend() } });
