import { Kernel } from '../../src/engine/kernel';
import { checkInvariants, leakedFrames } from '../../src/engine/invariants';
import { restoreCheckpoint, stateDigest, takeCheckpoint } from '../../src/engine/snapshot';
import { apply, type Op } from './ops';
const [cfg, before, after] = [{"ram":33554432,"cpus":1,"tlb":8,"pcid":false,"levels":4,"mshare":2024},[{"op":"mprotect","t":0,"v":0,"off":0,"pages":1,"prot":0},{"op":"attach","t":0,"r":0,"fixed":0},{"op":"mmap","t":0,"kind":0,"fixed":2,"pages":1,"prot":0,"populate":false},{"op":"mclose","t":0,"r":0},{"op":"spawn","t":0},{"op":"mmap","t":0,"kind":2,"fixed":0,"pages":1,"prot":0,"populate":false},{"op":"mmap","t":0,"kind":0,"fixed":2,"pages":1,"prot":0,"populate":false},{"op":"attach","t":0,"r":0,"fixed":0},{"op":"attach","t":0,"r":0,"fixed":0},{"op":"mmap","t":0,"kind":0,"fixed":0,"pages":1,"prot":0,"populate":false}],[{"op":"fork","t":0,"c":0},{"op":"mmap","t":2,"kind":5,"fixed":0,"pages":1,"prot":0,"populate":true},{"op":"mprotect","t":0,"v":0,"off":0,"pages":1,"prot":0},{"op":"mprotect","t":0,"v":0,"off":0,"pages":1,"prot":0},{"op":"fork","t":0,"c":0},{"op":"write","t":0,"v":0,"off":0,"value":0},{"op":"mopen","t":0,"r":0,"create":false},{"op":"uffd","t":6,"v":0,"wp":false},{"op":"mprotect","t":0,"v":0,"off":0,"pages":1,"prot":0},{"op":"fork","t":2,"c":0},{"op":"spawn","t":0},{"op":"mopen","t":0,"r":0,"create":false}]] as any;
const k = new Kernel(cfg);
for (const o of before) apply(k, o);
const d0 = stateDigest(k.m);
const cp = takeCheckpoint(k.m);
for (const o of after) apply(k, o);
restoreCheckpoint(k.m, cp);
console.log(d0, stateDigest(k.m), checkInvariants(k.m));
const replay = new Kernel(cfg);
for (const o of before) apply(replay, o);
console.log('replay', stateDigest(replay.m));
for (const o of after) { apply(k, o); apply(replay, o); const a = stateDigest(k.m), b = stateDigest(replay.m); console.log(JSON.stringify(o), a, b, a === b ? '' : 'DIFF'); }
