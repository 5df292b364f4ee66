// Composition root for `keyward sandbox`: the exchange emulator on its own.
export { startSandbox, type RunningSandbox } from '../sandbox/index.js';
