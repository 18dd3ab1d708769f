'use strict';
// The task queues corepool/piscina exports for its `taskQueue` option, as
// piscina does: first in, first out, with `unshift` for a task put back at
// the front and `remove` for an aborted one. Written from piscina's
// documented TaskQueue interface ({ size, push, shift, remove }); no piscina
// code.
//
// One ring buffer that doubles when full: push, shift and unshift are O(1),
// remove is O(n) (it closes the gap), as it is rare (aborts).

const MIN_CAPACITY = 16;

class RingTaskQueue {
  #items = new Array(MIN_CAPACITY);
  #head = 0;
  #size = 0;

  get size() {
    return this.#size;
  }

  isEmpty() {
    return this.#size === 0;
  }

  push(task) {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) % this.#items.length] = task;
    this.#size++;
  }

  unshift(task) {
    if (this.#size === this.#items.length) this.#grow();
    this.#head = (this.#head - 1 + this.#items.length) % this.#items.length;
    this.#items[this.#head] = task;
    this.#size++;
  }

  /** The first task, or null when empty. */
  shift() {
    if (this.#size === 0) return null;
    const task = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#size--;
    return task;
  }

  /** Removes `task` if it is queued (the first occurrence); otherwise nothing. */
  remove(task) {
    const items = this.#items;
    const cap = items.length;
    let k = 0;
    while (k < this.#size && items[(this.#head + k) % cap] !== task) k++;
    if (k === this.#size) return;
    for (; k < this.#size - 1; k++) items[(this.#head + k) % cap] = items[(this.#head + k + 1) % cap];
    items[(this.#head + this.#size - 1) % cap] = undefined;
    this.#size--;
  }

  #grow() {
    const old = this.#items;
    const items = new Array(old.length * 2);
    for (let k = 0; k < this.#size; k++) items[k] = old[(this.#head + k) % old.length];
    this.#items = items;
    this.#head = 0;
  }
}

/** piscina's names for its two queues; here both are the ring buffer above. */
class FixedQueue extends RingTaskQueue {}
class ArrayTaskQueue extends RingTaskQueue {}

module.exports = { FixedQueue, ArrayTaskQueue };
