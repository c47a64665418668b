import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTICE_TEMPLATES, NOTICE_EVENTS, describeOrigin, describeRemoved, formatUtc, renderNotice } from '../../server/src/core/notices';

const vars = {
  appName: 'Shop',
  username: 'ada',
  method: 'authenticator app',
  time: '2026-11-26 13:40 UTC',
  origin: 'IP 203.0.113.9, Firefox',
  remaining: 7,
  minutes: 15,
  removed: 'your authenticator app and your 10 backup codes',
};

describe('renderNotice', () => {
  it('has a default for every event, and fills every placeholder it uses', () => {
    for (const event of NOTICE_EVENTS) {
      const notice = renderNotice(event, vars);
      expect(DEFAULT_NOTICE_TEMPLATES[event].subject.length, event).toBeGreaterThan(0);
      for (const part of [notice.subject, notice.text, notice.html]) expect(part, event).not.toContain('<%=');
      expect(notice.text, event).toContain('ada');
    }
    expect(renderNotice('backup_code.used', vars).text).toContain('Backup codes left: 7.');
    expect(renderNotice('lockout', vars).text).toContain('locked for 15 minutes');
    expect(renderNotice('admin.reset', vars).text).toContain('Removed: your authenticator app and your 10 backup codes.');
  });

  it('names only what an admin reset removed', () => {
    expect(describeRemoved(['totp'], 0)).toBe('your authenticator app');
    expect(describeRemoved(['sms', 'totp'], 1)).toBe('your authenticator app, your SMS codes and your 1 backup code');
    expect(describeRemoved(['email'], 10)).toBe('your email codes and your 10 backup codes');
    expect(describeRemoved([], 0)).toBe('the lock on your two-factor sign-in');
  });

  it('turns the text into paragraphs for HTML, escaping what the text and the values hold', () => {
    const notice = renderNotice('enabled', { ...vars, origin: 'IP 1.2.3.4, <img src=x onerror=alert(1)>' }, {
      text: 'A & B\nline two\n\n<%= origin %>',
    });
    expect(notice.text).toBe('A & B\nline two\n\nIP 1.2.3.4, <img src=x onerror=alert(1)>');
    expect(notice.html).toBe('<p>A &amp; B<br>line two</p>\n<p>IP 1.2.3.4, &lt;img src=x onerror=alert(1)&gt;</p>');
  });

  it("keeps an operator's HTML as written but still escapes the values put into it", () => {
    const notice = renderNotice('disabled', { ...vars, username: '<b>x</b>' }, { html: '<h1>Off</h1><p><%= username %></p>' });
    expect(notice.html).toBe('<h1>Off</h1><p>&lt;b&gt;x&lt;/b&gt;</p>');
  });

  it('keeps the subject on one line whatever a value holds', () => {
    const notice = renderNotice('enabled', { ...vars, appName: 'Shop\r\nBcc: victim@example.com' });
    expect(notice.subject).toBe('Two-factor authentication is on for your Shop Bcc: victim@example.com account');
  });
});

describe('describeOrigin and formatUtc', () => {
  it('says where a request came from, on one line, within bounds', () => {
    expect(describeOrigin({ ip: '203.0.113.9', userAgent: 'Firefox' })).toBe('IP 203.0.113.9, Firefox');
    expect(describeOrigin({ ip: '203.0.113.9' })).toBe('IP 203.0.113.9');
    expect(describeOrigin(undefined)).toBe('IP unknown address');
    const long = describeOrigin({ ip: '::1', userAgent: `a\r\nb${'x'.repeat(500)}` });
    expect(long).not.toMatch(/[\r\n]/);
    expect(long.length).toBeLessThanOrEqual('IP ::1, '.length + 160);
  });

  it('writes the time in UTC to the minute', () => {
    expect(formatUtc(new Date('2026-11-26T13:40:59.999Z'))).toBe('2026-11-26 13:40 UTC');
  });
});
