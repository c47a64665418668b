import * as React from 'react';
import {
  Box,
  Field,
  Flex,
  SingleSelect,
  SingleSelectOption,
  Td,
  TextInput,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Layouts, Page, useDebounce, useFetchClient } from '@strapi/strapi/admin';
import { PERMISSIONS } from '../permissions';
import { Pager } from '../components/Pager';
import { ResultTable } from '../components/ResultTable';
import { useT } from '../utils/useT';
import { useMethodLabel } from '../utils/useMethodLabel';
import type { EventRow, Pagination } from '../utils/types';
import { EVENT_LABELS, EVENT_TYPES, isEventType } from '../../../server/src/vocabulary';

const PAGE_SIZE = 20;
const ALL = 'all';
/** Table cells do not wrap by default; these may, so that the table fits the page at 1440 px. */
const WRAP = { whiteSpace: 'normal', overflowWrap: 'anywhere' } as const;

const EventsPage = () => {
  const { t, date, time } = useT();
  const { get } = useFetchClient();
  const methodLabel = useMethodLabel();
  const [user, setUser] = React.useState('');
  const userQuery = useDebounce(user.trim(), 300);
  const [type, setType] = React.useState<string>(ALL);
  const [page, setPage] = React.useState(1);
  const [data, setData] = React.useState<{ results: EventRow[]; pagination: Pagination } | null>(null);
  const [failed, setFailed] = React.useState(false);

  React.useEffect(() => setPage(1), [userQuery, type]);
  React.useEffect(() => {
    const params = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE) });
    if (userQuery) params.set('user', userQuery);
    if (type !== ALL) params.set('type', type);
    get<{ results: EventRow[]; pagination: Pagination }>(`/two-factor/events?${params}`)
      .then(({ data }) => setData(data))
      .catch(() => setFailed(true));
  }, [get, page, userQuery, type]);

  if (failed) return <Page.Error />;
  if (!data) return <Page.Loading />;

  const typeLabel = (value: string) => (isEventType(value) ? t(`events.type.${value}`, EVENT_LABELS[value]) : value);
  const who = (event: EventRow) =>
    event.user ? (
      <>
        <Typography tag="p" fontWeight="semiBold">{event.user.username ?? `#${event.user.id}`}</Typography>
        <Typography tag="p" variant="pi" textColor="neutral600">{event.user.email ?? ''}</Typography>
      </>
    ) : (
      <Typography>{event.userId !== null ? t('events.deletedUser', 'Deleted user #{id}', { id: event.userId }) : '—'}</Typography>
    );

  // Counts and names only (the service never records a code or a secret).
  const details = (event: EventRow) => {
    const entries = Object.entries(event.details ?? {});
    if (!entries.length) return '—';
    return entries
      .map(([key, value]) =>
        key === 'adminId'
          ? t('events.details.admin', 'by administrator #{id}', { id: String(value) })
          : key === 'methods' && typeof value === 'string'
            ? `${key}: ${value.split(',').map(methodLabel).join(', ')}`
            : `${key}: ${String(value)}`
      )
      .join(', ');
  };

  return (
    <Page.Main>
      <Page.Title>{t('events.title', 'Two-factor audit log')}</Page.Title>
      <Layouts.Header title={t('events.title', 'Two-factor audit log')} subtitle={t('events.subtitle', 'Security events of two-factor logins, newest first')} />
      <Layouts.Action
        startActions={
          <Flex gap={4} alignItems="flex-end">
            <Box width="28rem">
              <Field.Root name="user" hint={t('events.filter.user.hint', 'A user id, username or email address')}>
                <Field.Label>{t('events.filter.user', 'User')}</Field.Label>
                <TextInput name="user" value={user} onChange={(e: React.ChangeEvent<HTMLInputElement>) => setUser(e.target.value)} />
                <Field.Hint />
              </Field.Root>
            </Box>
            <Box width="28rem">
              <Field.Root name="type" hint={t('events.filter.type.hint', 'Show one kind of event')}>
                <Field.Label>{t('events.filter.type', 'Event')}</Field.Label>
                <SingleSelect name="type" value={type} onChange={(value: string | number) => setType(String(value))}>
                  <SingleSelectOption value={ALL}>{t('events.filter.all', 'All events')}</SingleSelectOption>
                  {EVENT_TYPES.map((value) => (
                    <SingleSelectOption key={value} value={value}>
                      {typeLabel(value)}
                    </SingleSelectOption>
                  ))}
                </SingleSelect>
                <Field.Hint />
              </Field.Root>
            </Box>
          </Flex>
        }
      />
      <Layouts.Content>
        <ResultTable
          rows={data.results.length}
          empty={t('events.empty', 'No events match.')}
          columns={[
            t('events.column.time', 'Time'),
            t('events.column.event', 'Event'),
            t('events.column.user', 'User'),
            t('events.column.method', 'Method'),
            t('events.column.origin', 'IP address and browser'),
            t('events.column.details', 'Details'),
          ]}
        >
          {data.results.map((event) => (
            <Tr key={event.id}>
              <Td>
                <Typography tag="p">{date(event.createdAt)}</Typography>
                <Typography tag="p" variant="pi" textColor="neutral600">{time(event.createdAt)}</Typography>
              </Td>
              <Td>
                <Box maxWidth="14rem" style={WRAP}>
                  <Typography fontWeight="bold" textColor={event.type === 'verify.failed' || event.type === 'lockout' ? 'danger600' : undefined}>
                    {typeLabel(event.type)}
                  </Typography>
                </Box>
              </Td>
              <Td>{who(event)}</Td>
              <Td><Typography>{event.method ? methodLabel(event.method) : '—'}</Typography></Td>
              <Td>
                {/* The browser is cut to the column (its full text on hover): a user agent is longer than a table is wide. */}
                <Box maxWidth="14rem">
                  <Typography tag="p">{event.ip ?? '—'}</Typography>
                  <Typography tag="p" variant="pi" textColor="neutral600" ellipsis title={event.userAgent ?? undefined}>
                    {event.userAgent ?? ''}
                  </Typography>
                </Box>
              </Td>
              <Td>
                <Box maxWidth="16rem" style={WRAP}>
                  <Typography>{details(event)}</Typography>
                </Box>
              </Td>
            </Tr>
          ))}
        </ResultTable>
        <Pager pagination={data.pagination} onPage={setPage} />
      </Layouts.Content>
    </Page.Main>
  );
};

export const ProtectedEventsPage = () => (
  <Page.Protect permissions={PERMISSIONS.readEvents}>
    <EventsPage />
  </Page.Protect>
);

export default ProtectedEventsPage;
