import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.js';
import { wipeHeldKeys } from './features/auth/held-keys.js';
import './ui/styles.css';

// Leaving the page wipes the user key this tab holds (the server's copy ends with the session).
globalThis.addEventListener('pagehide', wipeHeldKeys);

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(<StrictMode><App /></StrictMode>);
