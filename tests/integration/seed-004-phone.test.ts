import { describe, it, expect } from 'vitest';
import { registerUser } from '../helpers/flows';
import { useDeliveryApp, type DeliveryApp } from '../helpers/delivery-app';
import { newPhone, textedCode } from '../helpers/otp-flows';

/**
 * Seed 004's "Phone OTP: user must have phone number on account": where the host app's user
 * model has a phone attribute, an SMS enrolment may take the number from there.
 */
describe('seed 004 "Phone OTP": the number on the account', () => {
  let delivery: DeliveryApp;
  // A host app whose users carry a `phone` attribute.
  useDeliveryApp({ env: { USER_PHONE_ATTRIBUTE: 'phone' } }, (started) => {
    delivery = started;
  });

  it('enable { method: "sms" } without phone texts the account\'s number; its code confirms through twoFa/verify', async () => {
    const { app: phoneApp, sms } = delivery;
    const user = await registerUser(phoneApp, 'phone');
    const phone = newPhone();
    await phoneApp.strapi.db.query('plugin::users-permissions.user').update({ where: { id: user.id }, data: { phone } });
    const auth = { Authorization: `Bearer ${user.jwt}` };

    const enable = await phoneApp.http().post('/api/authentication/twoFa/enable').set(auth).send({ method: 'sms' });
    expect(enable.status, JSON.stringify(enable.body)).toBe(200);
    expect(enable.body).toEqual({ message: 'Sent verify code via SMS' });
    const code = await textedCode(sms, phone, 1);
    // Not a factor until the texted code comes back (O6).
    expect((await phoneApp.http().get('/api/two-factor/status').set(auth)).body.methods).toEqual([]);
    const confirm = await phoneApp.http().post('/api/authentication/twoFa/verify').set(auth).send({ code, method: 'sms' });
    expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
    expect(confirm.body.methods).toEqual(['sms']);
  });

  it('without a number on the account or in the body, the answer says so and nothing is sent', async () => {
    const { app: phoneApp, sms } = delivery;
    const user = await registerUser(phoneApp, 'nophone');
    const before = sms.messages.length;
    const res = await phoneApp.http().post('/api/authentication/twoFa/enable').set({ Authorization: `Bearer ${user.jwt}` }).send({ method: 'sms' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe('PHONE_REQUIRED');
    expect(res.body.error.message).toMatch(/^User must have phone number on account/);
    expect(sms.messages.length).toBe(before);
  });

  it('a number on the account that is not E.164 is refused like one in the body', async () => {
    const { app: phoneApp } = delivery;
    const user = await registerUser(phoneApp, 'badphone');
    await phoneApp.strapi.db.query('plugin::users-permissions.user').update({ where: { id: user.id }, data: { phone: '415 555 1234' } });
    const res = await phoneApp.http().post('/api/authentication/twoFa/enable').set({ Authorization: `Bearer ${user.jwt}` }).send({ method: 'sms' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe('INVALID_PHONE');
  });
});
