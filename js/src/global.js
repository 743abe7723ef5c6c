// The classic-script build (dist/sockjs.min.js): `<script src=".../sockjs.min.js">` defines a
// global `SockJS`, as sockjs-client's browser build does.
import { SockJS } from './sockjs.js';

globalThis.SockJS = SockJS;
