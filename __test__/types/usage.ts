// Type tests: compiled with `tsc --noEmit` by __test__/types.test.js.
import corepool = require('../..');
import bcrypt = require('../../bcrypt');

async function main(): Promise<void> {
  const h: string = await corepool.hash('pw', { cost: 10, algorithm: 'bcrypt', version: '2b', truncate: false });
  const a: string = await corepool.hash(Buffer.from('pw'), { algorithm: 'argon2id', memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const ok: boolean = await corepool.verify('pw', h, { signal: AbortSignal.timeout(1000), timeout: 500 });
  const rehash: boolean = corepool.needsRehash(a, { algorithm: 'argon2id' });
  const rounds: number = corepool.getRounds(h);
  const parsed = corepool.parseHash(h);
  const alg: 'bcrypt' | 'argon2id' | 'argon2i' | 'argon2d' = parsed.algorithm;

  const buf: Buffer = await corepool.digest(Buffer.alloc(4));
  const hex: string = await corepool.digest('abc', 'sha256', { encoding: 'hex' });
  const b3: Buffer = await corepool.digest(new Uint8Array(3), { algorithm: 'blake3' });

  const pool = new corepool.Pool({ threads: 2, maxQueue: 100, name: 'api', maxMemory: 2 ** 30, wipeMemory: false });
  const s: corepool.PoolStats = pool.stats();
  const p99: number = s.runTime.p99 + s.waitTime.max + s.queued + s.memoryReserved + s.maxMemory;
  const text: string = pool.metrics();
  await pool.hash('x', { cost: 4 });
  const js: corepool.LaneStats = s.lanes.js;
  const alive: number = s.workers.alive + js.running;
  const jsPool = new corepool.Pool({ threads: 2, filename: './w.js', idleTimeout: 1000, execArgv: ['--import', 'tsx'], resourceLimits: { maxOldGenerationSizeMb: 64 }, closeTimeout: 500, abortGrace: 100 });
  const n: number = await jsPool.run<number>(1, { name: 'double', signal: AbortSignal.timeout(100), timeout: 50, transferList: [new ArrayBuffer(1)] });
  const any2: unknown = await corepool.run({ a: 1 }, { filename: new URL('file:///w.mjs') });
  const moved: corepool.Moved<Uint8Array> = corepool.move(new Uint8Array(2));
  const inWorker: boolean = corepool.isWorkerThread;
  // @ts-expect-error transferList takes transferables
  await jsPool.run(1, { transferList: ['x'] });
  void [alive, n, any2, moved, inWorker];
  await pool.close();

  try {
    await corepool.hash('x');
  } catch (e) {
    if (e instanceof corepool.CorepoolError) {
      const code: string = e.code;
      void code;
    }
    if (e instanceof corepool.AbortError) {
      const code: 'ABORT_ERR' = e.code;
      void code;
    }
  }

  const salt: string = bcrypt.genSaltSync(10);
  const hashed: string = await bcrypt.hash('pw', salt);
  const same: boolean = await bcrypt.compare('pw', hashed);
  bcrypt.compare('pw', hashed, (err: Error | null, result: boolean) => void [err, result]);
  const r: number = bcrypt.getRounds(hashed);

  void [ok, rehash, rounds, alg, buf, hex, b3, p99, text, same, r];
}

// @ts-expect-error cost must be a number
corepool.hash('x', { cost: '12' });
// @ts-expect-error unknown digest algorithm
corepool.digest('x', 'md5');
// @ts-expect-error Pool threads must be a number
new corepool.Pool({ threads: 'many' });

void main;

async function renderTypes(): Promise<void> {
  const png: Buffer = await corepool.render('<svg/>', { width: 100, background: { r: 1, g: 2, b: 3, alpha: 0.5 } });
  const { data, info } = await corepool.render(['<svg/>', Buffer.from('<svg/>')], { format: 'pdf', info: true, resources: { baseDir: '/tmp' } });
  const pages: number = info.pages;
  const warnings: string[] = info.warnings;
  const faces: number = await corepool.registerFont(Buffer.alloc(0));
  // @ts-expect-error unknown format
  await corepool.render('<svg/>', { format: 'gif' });
  const limits: corepool.RenderLimits = { elements: 1e6, cssSteps: 1e7, textElements: 10, textChars: 100, textCharsPerElement: 50, paintPixels: 1e9 };
  await corepool.render('<svg/>', { limits });
  // @ts-expect-error unknown limit
  await corepool.render('<svg/>', { limits: { paint: 1 } });
  void [png, data, pages, warnings, faces];
}
void renderTypes;

async function resizeTypes(): Promise<void> {
  const out: Buffer = await corepool.resize(Buffer.alloc(1), { width: 800, fit: 'inside', format: 'webp', background: '#fff' });
  const { info } = await corepool.resize(new Uint8Array(1), { height: 10, info: true });
  const meta = await corepool.metadata(Buffer.alloc(1));
  const w: number = meta.width + info.width;
  // @ts-expect-error unknown fit
  await corepool.resize(Buffer.alloc(1), { fit: 'stretch' });
  void [out, w];
}
void resizeTypes;

// corepool/bcrypt callbacks typed as @types/bcrypt types them, progress, extras.
import bcryptCb = require('../../bcrypt');
bcryptCb.hash('pw', 4, (err: Error | undefined, h: string) => void [err, h], (f: number) => void f);
bcryptCb.compare('pw', 'h', null, (f: number) => void f).then((b: boolean) => void b);
const saltPart: string = bcryptCb.getSalt('x'.repeat(60));
const cut: boolean = bcryptCb.truncates(Buffer.alloc(80));
const enc: string = bcryptCb.encodeBase64([1, 2, 3], 3);
const dec: number[] = bcryptCb.decodeBase64('abc', 2);
const q: number = bcryptCb.configure({ maxPending: 1000 }).queued;
void [saltPart, cut, enc, dec, q];

// corepool/bcryptjs, as bcryptjs's own types allow.
import bcryptjs = require('../../bcryptjs');
async function bcryptjsUsage(): Promise<void> {
  const s: string = bcryptjs.genSaltSync(10);
  const h: string = await bcryptjs.hash('pw', s, undefined, (p: number) => void p);
  bcryptjs.hash('pw', 10, (err: Error | null, res?: string) => void [err, res]);
  const ok: boolean = bcryptjs.compareSync('pw', h) && (await bcryptjs.compare('pw', h));
  const r: number = bcryptjs.getRounds(h);
  // @ts-expect-error bcryptjs takes string passwords only
  bcryptjs.hashSync(Buffer.from('pw'), 10);
  void [ok, r];
}
void bcryptjsUsage;
