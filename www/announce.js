// One polite live region (#announce) for screen readers: the reading is said
// once the pen is lifted and the drawing has settled, not on every frame while
// drawing, and not twice (#number, #prediction and #unsure are not live
// regions themselves, so they never talk over each other).

export class Announcer {
  /**
   * @param {HTMLElement} el a visually hidden element with role=status / aria-live=polite
   * @param {number} delay ms to wait for the drawing to settle
   */
  constructor(el, delay = 500) {
    this.el = el;
    this.delay = delay;
    this.timer = 0;
    this.last = '';
  }

  /** Say `text` after `delay` ms unless something newer comes first; '' says nothing. */
  say(text) {
    clearTimeout(this.timer);
    if (text === '') {
      // Forget the last reading, so the same reading of a new drawing is said again.
      this.last = '';
      return;
    }
    this.timer = setTimeout(() => {
      if (text === this.last) return;
      this.last = text;
      this.el.textContent = text;
    }, this.delay);
  }

  /** Drop a pending announcement (a stroke started). */
  hold() {
    clearTimeout(this.timer);
  }
}
