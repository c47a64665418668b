import { refusePluginRecords } from '../extensions/content-manager';
import { recentFactor } from './recent-factor';

export default { 'refuse-plugin-records': refusePluginRecords, 'recent-factor': recentFactor };
