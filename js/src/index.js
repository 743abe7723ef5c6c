// sockjs-cpp's browser client: `import SockJS from '...'` where sockjs-client was imported.
import { SockJS } from './sockjs.js';

export { SockJS };
export default SockJS;
