import login from './login';
import manage from './manage';

export default { login, manage };
