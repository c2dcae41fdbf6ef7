// The examples' index page: only makes it work offline too.
import { registerServiceWorker } from './common.js';

registerServiceWorker();
