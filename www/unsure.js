// "Not sure — 4 or 9?" (in a number: "Not sure — 4 or 9? (3rd digit)"): shown
// when the network's reading fails the reject rule (the wasm `sure` flag), with
// its two best guesses; hidden when it is sure or the pad is empty.
//
// One digit on the pad (or digits on top of each other): the whole drawing's
// reading. Several digits: the digits of the number that are in doubt.

/** 1 -> '1st', 2 -> '2nd', 11 -> '11th'. */
function ordinal(n) {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

export class UnsureView {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.el = el;
    this.text = '';
  }

  reset() {
    this.#set('', []);
  }

  /**
   * @param {{empty: boolean, digit: number|null, sure?: boolean, runnerUp?: number|null}} out the whole drawing as one digit
   * @param {{digits: Array<{digit: number, sure: boolean, runnerUp: number|null}>}} reading the number
   */
  show(out, reading) {
    if (!out || out.empty || out.digit == null) {
      this.#set('', []);
      return;
    }
    const digits = reading?.digits ?? [];
    if (digits.length <= 1) {
      if (out.sure === false) {
        const guesses = [out.digit, out.runnerUp].filter((d) => d != null);
        this.#set(`Not sure — ${guesses.join(' or ')}?`, guesses);
      } else {
        this.#set('', []);
      }
      return;
    }
    const doubtful = digits.map((d, i) => ({ ...d, i })).filter((d) => d.sure === false);
    if (doubtful.length === 0) {
      this.#set('', []);
    } else if (doubtful.length === 1) {
      const d = doubtful[0];
      const guesses = [d.digit, d.runnerUp].filter((g) => g != null);
      this.#set(`Not sure — ${guesses.join(' or ')}? (${ordinal(d.i + 1)} digit)`, guesses);
    } else {
      const pairs = doubtful.map((d) => [d.digit, d.runnerUp].filter((g) => g != null).join(' or '));
      const which = doubtful.map((d) => ordinal(d.i + 1)).join(', ');
      this.#set(`Not sure — ${pairs.join(', ')}? (${which} digits)`, doubtful.map((d) => d.digit));
    }
  }

  #set(text, guesses) {
    this.text = text;
    if (this.el.textContent !== text) this.el.textContent = text;
    this.el.hidden = text === '';
    this.el.dataset.guesses = guesses.join(',');
  }
}
