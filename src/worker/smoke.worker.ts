// Smoke test for the browser plumbing: a module worker, comlink, and a SharedArrayBuffer
// shared with the page.
import * as Comlink from 'comlink';
import { SMOKE_WORDS, smokePattern, type SmokeApi } from './smoke-api';

let words: Uint32Array | undefined;

const api: SmokeApi = {
  create() {
    const sab = new SharedArrayBuffer(SMOKE_WORDS * 4);
    words = new Uint32Array(sab);
    for (let i = 0; i < SMOKE_WORDS; i++) Atomics.store(words, i, smokePattern(i));
    return sab;
  },
  read(index) {
    if (!words) throw new Error('read() before create()');
    return Atomics.load(words, index);
  },
};

Comlink.expose(api);
