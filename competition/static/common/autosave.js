/*
 * The autosave state machine of the pages that keep a draft on the server
 * (the nomination form, the scoring page). The page says what it would save
 * (`snapshot`) and how to send it (`send`); this module decides when:
 *
 * - schedule(delay): save a moment after the person stops typing;
 * - one save at a time: a save asked for while one runs waits for it, then
 *   sends what has changed since (the answer carries the new version);
 * - nothing is sent when nothing changed since the last save (unless forced);
 * - a network failure is retried after `offlineRetry` ms (`onOffline` shows
 *   it); a server error the page answers with {retry: ms} is retried too;
 * - stop(): the server said saving cannot succeed (a 409 stale version, the
 *   window closed, signed out): nothing is sent any more;
 * - saveOnLeave(): pending changes are sent when the tab is hidden or closed
 *   (with keepalive, so that the request outlives the page).
 *
 * send(options) answers a promise of
 *   true        the server holds the values;
 *   false       the server answered and did not take them all (field errors,
 *               a conflict): not sent again until the values change;
 *   {retry: ms} not saved; try again in ms.
 * A rejected promise is a network failure.
 */

export class Autosave {
  constructor({ snapshot, send, onOffline = () => {}, offlineRetry = 10000, stopped = false, saved = true }) {
    this.snapshot = snapshot;
    this.send = send;
    this.onOffline = onOffline;
    this.offlineRetry = offlineRetry;
    this.stopped = stopped;
    this.lastSent = saved ? snapshot() : null; // what the server last answered for
    this.lastOk = true; // whether it took all of it
    this.sending = null; // the snapshot of the save that runs
    this.saving = null;
    this.timer = null;
  }

  /** Whether the page holds changes the server has not been sent (or is not being sent). */
  get pending() {
    if (this.stopped) return false;
    return this.snapshot() !== (this.sending !== null ? this.sending : this.lastSent);
  }

  schedule(delay) {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), delay);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /**
   * Saves now; answers a promise of true when the server holds what the page
   * shows. Options are passed to send (force: send even when unchanged;
   * keepalive: the page is going away).
   */
  save(options = {}) {
    clearTimeout(this.timer);
    if (this.stopped) return Promise.resolve(false);
    if (this.saving) return this.saving.then(() => this.save(options));
    const snap = this.snapshot();
    if (!options.force && snap === this.lastSent) return Promise.resolve(this.lastOk);
    this.sending = snap;
    let sent;
    try {
      // Called at once (not in a later task): a page being closed still sends.
      sent = Promise.resolve(this.send(options));
    } catch (error) {
      sent = Promise.reject(error);
    }
    this.saving = sent
      .then(
        (outcome) => {
          if (outcome && outcome.retry) {
            this.retryIn(outcome.retry);
            return false;
          }
          this.lastSent = snap;
          this.lastOk = outcome === true;
          return this.lastOk;
        },
        () => {
          this.onOffline();
          this.retryIn(this.offlineRetry);
          return false;
        },
      )
      .then((ok) => {
        this.sending = null;
        this.saving = null;
        return ok;
      });
    return this.saving;
  }

  retryIn(delay) {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), delay);
  }

  /** Sends pending changes when the tab is hidden or closed. */
  saveOnLeave() {
    const leave = () => {
      if (this.pending) this.save({ keepalive: true });
    };
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") leave();
    });
    window.addEventListener("pagehide", leave);
  }
}
