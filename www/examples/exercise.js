// "Write the answer": a few sums, each answered in its own <digit-input>. All of them share the
// one engine. Each answer is checked once the writing settles (`change`); ?seed=N picks the
// questions (the same N, the same questions).
import { registerServiceWorker, whenReady } from './common.js';

const list = document.getElementById('questions');
const score = document.getElementById('score');
const COUNT = 4;

/** mulberry32: a small seeded generator. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function questions(seed) {
  const next = random(seed);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  return Array.from({ length: COUNT }, () => {
    if (next() < 0.5) {
      const a = int(1, 9);
      const b = int(1, 9);
      return { text: `${a} + ${b}`, spoken: `${a} plus ${b}`, answer: a + b };
    }
    const a = int(5, 18);
    const b = int(1, Math.min(9, a));
    return { text: `${a} − ${b}`, spoken: `${a} minus ${b}`, answer: a - b };
  });
}

function render(seed) {
  const rows = questions(seed).map((q, i) => {
    const li = document.createElement('li');
    li.className = 'question';
    li.dataset.answer = String(q.answer);
    const label = document.createElement('label');
    label.className = 'sum';
    label.htmlFor = `answer-${i}`;
    label.textContent = `${q.text} =`;
    label.setAttribute('aria-label', `${q.spoken} equals`);
    const field = document.createElement('digit-input');
    field.id = `answer-${i}`;
    field.name = `answer-${i}`;
    const verdict = document.createElement('span');
    verdict.className = 'verdict';
    verdict.setAttribute('role', 'status');
    field.addEventListener('input', () => {
      delete li.dataset.result;
      verdict.textContent = '';
    });
    field.addEventListener('change', (e) => {
      check(li, verdict, e);
      updateScore();
    });
    li.append(label, field, verdict);
    return li;
  });
  list.replaceChildren(...rows);
  updateScore();
}

/** Right, wrong, or "not sure" (then the two guesses). */
function check(li, verdict, e) {
  if (e.value === '') {
    delete li.dataset.result;
    verdict.textContent = '';
  } else if (!e.sure) {
    li.dataset.result = 'unsure';
    verdict.textContent = e.target.validationMessage || 'Not sure: write it again';
  } else if (e.value === li.dataset.answer) {
    li.dataset.result = 'right';
    verdict.textContent = `✓ ${e.value} is right`;
  } else {
    li.dataset.result = 'wrong';
    verdict.textContent = `✗ it reads ${e.value}: try again`;
  }
}

function updateScore() {
  const rows = [...list.children];
  const right = rows.filter((li) => li.dataset.result === 'right').length;
  score.textContent = `${right} of ${rows.length} right`;
  score.dataset.right = String(right);
}

const params = new URLSearchParams(location.search);
let seed = Number.parseInt(params.get('seed') ?? '', 10);
if (!Number.isFinite(seed)) seed = Math.floor(Math.random() * 1e6);
render(seed);

document.getElementById('again').addEventListener('click', () => {
  seed += 1;
  const url = new URL(location.href);
  url.searchParams.set('seed', String(seed));
  history.replaceState(history.state, '', url);
  render(seed);
  list.querySelector('digit-input')?.focus();
});

whenReady();
registerServiceWorker();
