import { refusePluginRecords } from '../extensions/content-manager';

export default { 'refuse-plugin-records': refusePluginRecords };
