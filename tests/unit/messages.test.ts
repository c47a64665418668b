import { describe, expect, it } from 'vitest';
import { escapeHtml, isE164, minutesOf, renderTemplate } from '../../server/src/core/messages';

describe('renderTemplate', () => {
  it('replaces known <%= name %> placeholders, with or without spaces', () => {
    expect(renderTemplate('<%= code %> / <%=minutes%> / <%=   appName %>', { code: '012345', minutes: 10, appName: 'Shop' })).toBe(
      '012345 / 10 / Shop'
    );
  });

  it('leaves unknown names as they are and evaluates nothing', () => {
    expect(renderTemplate('<%= nope %> <% process.exit(1) %> <%- code %>', { code: '1' })).toBe('<%= nope %> <% process.exit(1) %> <%- code %>');
    expect(renderTemplate('<%= constructor %>', {})).toBe('<%= constructor %>');
  });

  it('escapes values (not the template) for HTML', () => {
    expect(renderTemplate('<b><%= appName %></b>', { appName: `<script>"x"&'y'</script>` }, { html: true })).toBe(
      '<b>&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;</b>'
    );
    expect(renderTemplate('<%= appName %>', { appName: '<i>' })).toBe('<i>');
    expect(escapeHtml('a&b')).toBe('a&amp;b');
  });
});

describe('isE164', () => {
  it('accepts + and 7 to 15 digits not starting with 0', () => {
    for (const ok of ['+14155551234', '+442071838750', '+8613800138000', '+1234567', '+123456789012345']) expect(isE164(ok), ok).toBe(true);
  });
  it('refuses everything else', () => {
    for (const bad of ['14155551234', '+04155551234', '+1 415 555 1234', '+1-415-555-1234', '+123456', '+1234567890123456', '', ' +14155551234', 14155551234, null, undefined]) {
      expect(isE164(bad), String(bad)).toBe(false);
    }
  });
});

describe('minutesOf', () => {
  it('rounds up to whole minutes, at least one', () => {
    expect(minutesOf(600)).toBe(10);
    expect(minutesOf(61)).toBe(2);
    expect(minutesOf(1)).toBe(1);
  });
});
