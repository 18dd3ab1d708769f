import { hash, verify, Pool, CorepoolError, run, move, isWorkerThread, workerData } from 'corepool';
import bcrypt, { compareSync } from 'corepool/bcrypt';

const h: string = await hash('pw');
const ok: boolean = await verify('pw', h);
const pool = new Pool();
const err = new CorepoolError('m', 'ERR_LIMIT');
const sync: boolean = compareSync('pw', bcrypt.hashSync('pw', 4));
const r: number = await run<number>(1, { filename: 'w.mjs' });
void [ok, pool, err, sync, r, move, isWorkerThread, workerData];

import bcryptjs, { hashSync as jsHashSync, getSalt } from 'corepool/bcryptjs';
const jsHash: string = jsHashSync('pw', 4);
const jsSalt: string = getSalt(jsHash);
void [bcryptjs.truncates('pw'), jsSalt];
