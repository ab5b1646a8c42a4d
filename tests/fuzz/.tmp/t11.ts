import { Kernel } from '../../../src/engine/kernel';
import { checkInvariants } from '../../../src/engine/invariants';
const G512 = 512 * 2 ** 30;
for (const variant of ['creator', 'sharer']) {
  const k = new Kernel({ ram: 16 * 2 ** 20, mshare: 2024, cpus: 1 });
  k.mount();
  k.spawn('a');
  const f0 = k.open('a', '/sys/fs/mshare/r0', true).value as number;
  console.log(k.mmap('a', { addr: 5 * G512, len: G512, prot: 'rw', flags: { shared: true }, fd: f0 }));
  console.log(k.mmap('a', { addr: 5 * G512, len: 4 << 20, prot: 'rw', flags: { shared: true, anon: true, fixed: true } }));
  let who = 'a';
  if (variant === 'sharer') {
    k.spawn('b');
    const fb = k.open('b', '/sys/fs/mshare/r0', false).value as number;
    console.log(k.mmap('b', { addr: 5 * G512, len: G512, prot: 'rw', flags: { shared: true }, fd: fb }));
    who = 'b';
  }
  console.log(k.touch(who, 5 * G512, 1 << 20, 'read'));
  const f1 = k.open(who, '/sys/fs/mshare/r1', true).value as number;
  console.log(variant, k.mmap(who, { addr: 5 * G512, len: G512, prot: 'rw', flags: { shared: true }, fd: f1 }));
  console.log(checkInvariants(k.m));
}
