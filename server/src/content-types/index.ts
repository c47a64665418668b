import factor from './factor/schema.json';
import challenge from './challenge/schema.json';
import backupCode from './backup-code/schema.json';
import event from './event/schema.json';
import throttle from './throttle/schema.json';
import rateLimit from './rate-limit/schema.json';
import roleMembership from './role-membership/schema.json';
import device from './device/schema.json';
import passkey from './passkey/schema.json';

export default {
  factor: { schema: factor },
  challenge: { schema: challenge },
  'backup-code': { schema: backupCode },
  event: { schema: event },
  throttle: { schema: throttle },
  'rate-limit': { schema: rateLimit },
  'role-membership': { schema: roleMembership },
  device: { schema: device },
  passkey: { schema: passkey },
};
