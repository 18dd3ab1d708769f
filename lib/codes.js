'use strict';
// Every error code corepool throws or rejects with, owned by `ErrorCode` in
// src/tasks/mod.rs: { QueueFull: 'ERR_QUEUE_FULL', Timeout: 'ERR_TIMEOUT', … }.
// __test__/codes.test.js checks that lib/, index.js and index.d.ts use no other.
module.exports = Object.freeze(require('./native').errorCodes());
