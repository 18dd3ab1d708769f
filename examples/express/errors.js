'use strict';
// One place that turns errors into HTTP answers. Every error body is
// `{ error: { code, message } }`; `code` is corepool's stable code when the
// error came from corepool, so clients can branch on it.

/** An error the app raises on purpose, with its HTTP status. */
class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** HTTP status for each corepool error code (see README "Errors"). */
const STATUS_BY_CODE = {
  ERR_QUEUE_FULL: 503, // the pool's admission bound: shed load, the client retries
  ERR_TIMEOUT: 503,
  ERR_POOL_CLOSED: 503, // shutting down
  ERR_INVALID_ARG_TYPE: 400,
  ERR_INVALID_ARG_VALUE: 400,
  ERR_PASSWORD_TOO_LONG: 400,
  ERR_INVALID_PASSWORD: 400,
  ERR_DECODE: 400,
  ERR_UNSUPPORTED_FORMAT: 400,
  ERR_LIMIT: 413,
  ERR_INVALID_CSV: 400, // POST /report: thrown by report-worker.js, passed through the JS lane
  ABORT_ERR: 499, // the client went away; nobody reads this answer
};

/** Errors raised by express.json()/express.raw() (body-parser), by their `type`. */
const BODY_ERRORS = {
  'entity.too.large': [413, 'ERR_BODY_TOO_LARGE'],
  'entity.parse.failed': [400, 'ERR_INVALID_JSON'],
  'encoding.unsupported': [415, 'ERR_UNSUPPORTED_ENCODING'],
  'charset.unsupported': [415, 'ERR_UNSUPPORTED_CHARSET'],
};

/** → `{ status, code, message }`; `message` is the error's own only for client errors. */
function classify(err) {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message };
  if (err && BODY_ERRORS[err.type]) {
    const [status, code] = BODY_ERRORS[err.type];
    return { status, code, message: err.message };
  }
  const status = err && STATUS_BY_CODE[err.code];
  if (status) return { status, code: err.code, message: err.message };
  if (err && Number.isInteger(err.status) && err.status >= 400 && err.status < 500) {
    return { status: err.status, code: 'ERR_BAD_REQUEST', message: err.message };
  }
  return { status: 500, code: 'ERR_INTERNAL', message: 'Internal server error' };
}

/** The app's last middleware. `log(err, req)` sees the 5xx that are bugs (not load shedding). */
function errorHandler(log) {
  // Express recognises an error handler by its four parameters.
  return (err, req, res, next) => {
    const { status, code, message } = classify(err);
    if (status === 500) log(err, req);
    if (res.headersSent) {
      // Too late for a status: Express's default handler closes the connection.
      next(err);
      return;
    }
    if (status === 499 || res.destroyed) {
      // Client gone: nothing to send.
      res.destroy();
      return;
    }
    if (status === 503) res.set('Retry-After', '1');
    res.status(status).json({ error: { code, message } });
  };
}

module.exports = { HttpError, classify, errorHandler, STATUS_BY_CODE };
