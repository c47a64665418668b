import errorAnswers from './error-answers';

export default { 'error-answers': errorAnswers };
