'use strict';
// Peer task for workerpool: node:crypto sha256 of the input.
const crypto = require('node:crypto');
const workerpool = require('workerpool');

workerpool.worker({ sha256: (data) => crypto.createHash('sha256').update(data).digest() });
