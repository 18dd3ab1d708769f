'use strict';
// Peer task for piscina/tinypool: node:crypto sha256 of the input.
const crypto = require('node:crypto');

module.exports = (data) => crypto.createHash('sha256').update(data).digest();
