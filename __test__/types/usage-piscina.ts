// Type test for corepool/piscina (compiled by __test__/types.test.js).
import Piscina = require('../../piscina');

async function piscina(): Promise<void> {
  const pool = new Piscina<number, number>({ filename: '/w.js', minThreads: 1, maxThreads: 2, maxQueue: 'auto', idleTimeout: 100 });
  const r: number = await pool.run(1, { name: 'x', signal: new AbortController().signal, transferList: [new ArrayBuffer(1)] });
  const n: number = pool.queueSize + pool.completed + pool.utilization + pool.duration + pool.threads.length;
  const moved = Piscina.move(new ArrayBuffer(8));
  const inWorker: boolean = Piscina.isWorkerThread;
  pool.on('drain', () => {});
  pool.on('workerCreate', (w) => {
    const usage: number = w.currentUsage + w.id;
    void usage;
  });
  const balanced = new Piscina({
    filename: '/w.js',
    taskQueue: new Piscina.FixedQueue(),
    workerHistogram: true,
    loadBalancer: (task, workers) => (task.isAbortable ? null : workers.find((w) => w.currentUsage === 0 && !w.destroyed) ?? null),
  });
  const q = new Piscina.ArrayTaskQueue();
  const size: number = q.size;
  await balanced.destroy();
  void size;
  await pool.close({ force: true });
  await pool.destroy();
  void [r, n, moved, inWorker];
}
void piscina;
