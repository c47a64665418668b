import login from './login';
import manage from './manage';
import adminSettings from './admin-settings';
import adminUsers from './admin-users';
import adminEvents from './admin-events';

export default { login, manage, adminSettings, adminUsers, adminEvents };
