import { Kernel } from '../../src/engine/kernel';
import { checkInvariants, leakedFrames } from '../../src/engine/invariants';
import { apply, type Op } from './ops';
const cfg = {"ram":33554432,"cpus":1,"tlb":8,"pcid":false,"levels":5,"mshare":2025} as any;
const ops: Op[] = [{"op":"mount"},{"op":"mopen","t":0,"r":0,"create":true},{"op":"mtrunc","t":0,"r":0,"slots":1},{"op":"ioctl-map","t":0,"r":0,"kind":0,"off":0,"pages":1,"prot":0},{"op":"attach","t":0,"r":0,"fixed":0},{"op":"touch","t":0,"v":0,"off":0,"pages":1,"write":false}] as any;
const k = new Kernel(cfg);
for (const o of ops) apply(k, o);
const used = () => { const out: string[] = []; for (let p = 0; p < k.m.pm.nframes; p++) { const u = k.m.pm.d.use[p]; if (u > 2) out.push(`${p}:use${u}:own${k.m.pm.d.owner[p]}:sh${k.m.pm.d.share[p]}`); } return out; };
console.log(used(), [...k.m.s.mms.values()].map(m => [m.id, m.pgd, !!m.hostOf]));
for (const t of [...k.m.s.tasks.values()]) k.exit(t.name);
console.log('after exit', used());
for (const p of [...k.m.s.paths.keys()].sort((a, b) => b.length - a.length)) { const i = k.m.s.paths.get(p); if (i && i.kind !== 'info' && !k.m.s.mounts.has(p)) console.log(p, k.unlink(p)); }
console.log('after unlink', used(), leakedFrames(k.m));
