// The PIN pad: one <digit-input digits="4" required> in a form. The form does not really post
// anywhere (this is a static site): on submit it shows what it would send.
import { registerServiceWorker, whenReady } from './common.js';

const form = document.getElementById('pin-form');
const pin = document.getElementById('pin');
const message = document.getElementById('pin-message');
const sent = document.getElementById('sent');

/** The field's own validation message (a number missing, the wrong count, "not sure"), once it matters. */
function showMessage(force = false) {
  const show = force || pin.matches(':state(user-invalid)');
  message.textContent = show ? pin.validationMessage : '';
  message.hidden = message.textContent === '';
}

pin.addEventListener('input', () => {
  sent.hidden = true;
  showMessage();
});
pin.addEventListener('change', () => showMessage());
// A blocked submit: the browser shows the message in a bubble; the page shows it too.
pin.addEventListener('invalid', () => showMessage(true));

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new URLSearchParams(new FormData(form));
  sent.textContent = `The form would send ${data.toString()}`;
  sent.hidden = false;
  showMessage();
});
form.addEventListener('reset', () => {
  sent.hidden = true;
  message.hidden = true;
});
document.getElementById('undo').addEventListener('click', () => {
  pin.undo();
  showMessage();
  pin.focus();
});

whenReady();
registerServiceWorker();
