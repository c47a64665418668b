import errorAnswers from './error-answers';
import rateLimit from './rate-limit';

export default { 'error-answers': errorAnswers, 'rate-limit': rateLimit };
