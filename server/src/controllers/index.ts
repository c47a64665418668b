import login from './login';
import manage from './manage';
import devices from './devices';
import passkeys from './passkeys';
import adminSettings from './admin-settings';
import adminUsers from './admin-users';
import adminEvents from './admin-events';

export default { login, manage, devices, passkeys, adminSettings, adminUsers, adminEvents };
