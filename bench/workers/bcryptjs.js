'use strict';
// Peer task for piscina: bcryptjs hash on a worker thread.
const bcryptjs = require('bcryptjs');

module.exports = ({ password, cost }) => bcryptjs.hashSync(password, cost);
