// The demo chat: one SockJS connection to /broadcast on the server that serves this page
// (build/bin/sockjs-server --static js, then open /demo/).
import SockJS from '../src/index.js';

const $ = (id) => document.getElementById(id);
const log = $('log');
$('name').value = `guest${Math.floor(Math.random() * 1000)}`;

function line(text, note = false) {
  const p = document.createElement('p');
  p.textContent = text;
  if (note) p.className = 'note';
  log.append(p);
  log.scrollTop = log.scrollHeight;
}

let sock = null;

function connect() {
  sock?.close();
  const transport = $('transport').value;
  const s = (sock = new SockJS(new URL('/broadcast', location.href).href, null,
    transport ? { transports: [transport] } : {}));
  $('status').textContent = 'connecting…';
  s.onopen = () => {
    $('status').textContent = `connected via ${s.transport}`;
    line(`connected via ${s.transport}`, true);
  };
  s.onmessage = (e) => line(e.data);
  s.onclose = (e) => {
    if (s !== sock) return;
    $('status').textContent = `closed (${e.code} ${e.reason})`;
    line(`closed: ${e.code} ${e.reason}`, true);
  };
}

$('connect').onclick = connect;
$('transport').onchange = connect;
$('form').onsubmit = (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (!text || sock?.readyState !== SockJS.OPEN) return;
  sock.send(`${$('name').value || 'guest'}: ${text}`);
  $('text').value = '';
};
connect();
