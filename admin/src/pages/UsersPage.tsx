import * as React from 'react';
import { Badge, Box, Button, Dialog, Flex, Searchbar, Td, Tooltip, Tr, Typography } from '@strapi/design-system';
import { ArrowClockwise, Lock } from '@strapi/icons';
import { ConfirmDialog, Layouts, Page, useDebounce, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { PERMISSIONS } from '../permissions';
import { Pager } from '../components/Pager';
import { ResultTable } from '../components/ResultTable';
import { useT } from '../utils/useT';
import { useMethodLabel } from '../utils/useMethodLabel';
import { apiErrorMessage } from '../utils/apiError';
import type { Pagination, UserRow } from '../utils/types';
import { METHOD_NOUNS } from '../../../server/src/vocabulary';

const PAGE_SIZE = 10;

const UsersPage = () => {
  const { t, dateTime, list } = useT();
  const { get, post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const methodLabel = useMethodLabel();
  const {
    isLoading: loadingPermissions,
    allowedActions: { canReset },
  } = useRBAC(PERMISSIONS.resetUsers);

  const [search, setSearch] = React.useState('');
  const query = useDebounce(search.trim(), 300);
  const [page, setPage] = React.useState(1);
  const [data, setData] = React.useState<{ results: UserRow[]; pagination: Pagination } | null>(null);
  const [failed, setFailed] = React.useState(false);
  const [resetting, setResetting] = React.useState<UserRow | null>(null);
  const [forgetting, setForgetting] = React.useState<UserRow | null>(null);

  const load = React.useCallback(async () => {
    const params = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE) });
    if (query) params.set('search', query);
    try {
      const { data } = await get<{ results: UserRow[]; pagination: Pagination }>(`/two-factor/users?${params}`);
      setData(data);
    } catch {
      setFailed(true);
    }
  }, [get, page, query]);

  React.useEffect(() => {
    load();
  }, [load]);
  React.useEffect(() => setPage(1), [query]);

  const reset = async () => {
    if (!resetting) return;
    try {
      await post(`/two-factor/users/${resetting.id}/reset`);
      toggleNotification({
        type: 'success',
        message: t('users.reset.done', 'Two-factor reset for {name}', { name: resetting.username ?? resetting.email ?? String(resetting.id) }),
      });
      await load();
    } catch (error) {
      toggleNotification({ type: 'danger', message: apiErrorMessage(error, t('error.generic', 'Something went wrong')) });
    } finally {
      setResetting(null);
    }
  };

  const nameOf = (user: UserRow) => user.username ?? user.email ?? String(user.id);

  /** Lifts the lock on the user's second factor; their factors stay. */
  const unlock = async (user: UserRow) => {
    try {
      await post(`/two-factor/users/${user.id}/unlock`);
      toggleNotification({
        type: 'success',
        message: t('users.unlock.done', 'Unlocked {name}', { name: nameOf(user) }),
      });
      await load();
    } catch (error) {
      toggleNotification({ type: 'danger', message: apiErrorMessage(error, t('error.generic', 'Something went wrong')) });
    }
  };

  const revokeDevices = async () => {
    if (!forgetting) return;
    try {
      await post(`/two-factor/users/${forgetting.id}/revoke-devices`);
      toggleNotification({ type: 'success', message: t('users.devices.done', 'Remembered devices revoked for {name}', { name: nameOf(forgetting) }) });
      await load();
    } catch (error) {
      toggleNotification({ type: 'danger', message: apiErrorMessage(error, t('error.generic', 'Something went wrong')) });
    } finally {
      setForgetting(null);
    }
  };

  /** What a reset takes from this user: the methods they have and their unused backup codes, or only the lock. */
  const removedBy = (user: UserRow) => {
    const parts = user.methods.map((m) => t(`users.reset.method.${m}`, `their ${METHOD_NOUNS[m]}`));
    if (user.backupCodesRemaining > 0) parts.push(t('users.reset.backupCodes', 'their {count, plural, one {# backup code} other {# backup codes}}', { count: user.backupCodesRemaining }));
    return parts.length ? list(parts) : t('users.reset.lock', 'the lock on their second factor');
  };

  if (failed) return <Page.Error />;
  if (loadingPermissions || !data) return <Page.Loading />;

  return (
    <Page.Main>
      <Page.Title>{t('users.title', 'Two-factor users')}</Page.Title>
      <Layouts.Header title={t('users.title', 'Two-factor users')} subtitle={t('users.subtitle', 'Users & Permissions users and their second factors')} />
      <Layouts.Action
        startActions={
          <Box width="32rem">
            <Searchbar
              name="search"
              value={search}
              onChange={(e: React.ChangeEvent<HTMLInputElement>) => setSearch(e.target.value)}
              onClear={() => setSearch('')}
              clearLabel={t('users.search.clear', 'Clear the search')}
              placeholder={t('users.search.placeholder', 'Search by username or email')}
            >
              {t('users.search', 'Search users')}
            </Searchbar>
          </Box>
        }
      />
      <Layouts.Content>
        <ResultTable
          rows={data.results.length}
          empty={t('users.empty', 'No users match.')}
          columns={[
            t('users.column.user', 'User'),
            t('users.column.role', 'Role'),
            t('users.column.methods', 'Methods'),
            t('users.column.backupCodes', 'Backup codes left'),
            t('users.column.lockedUntil', 'Locked until'),
            t('users.column.devices', 'Devices'),
            t('users.column.passkeys', 'Passkeys'),
            t('users.column.actions', 'Actions'),
          ]}
        >
          {data.results.map((user) => {
            const hasState = user.methods.length > 0 || user.backupCodesRemaining > 0 || user.lockedUntil !== null;
            return (
              <Tr key={user.id} aria-label={user.username ?? String(user.id)}>
                {/* Name, email and id in one cell: the table then fits 1440 px with its actions in view. */}
                <Td>
                  <Typography fontWeight="bold" tag="p">{user.username}</Typography>
                  <Typography variant="pi" textColor="neutral600" tag="p">{user.email}</Typography>
                  <Typography variant="pi" textColor="neutral500" tag="p">#{user.id}</Typography>
                </Td>
                <Td>
                  <Typography>{user.role?.name ?? '—'}</Typography>
                  {user.setupRequiredBy && (
                    <Typography variant="pi" textColor="warning600" tag="p">
                      {t('users.setupRequiredBy', 'Set up by {date}', { date: dateTime(user.setupRequiredBy) })}
                    </Typography>
                  )}
                </Td>
                <Td>
                  {user.methods.length ? (
                    <Flex gap={1} wrap="wrap">
                      {user.methods.map((m) => (
                        <Badge key={m} active>{methodLabel(m)}</Badge>
                      ))}
                      {user.keyMissing && (
                        <Tooltip
                          label={t(
                            'users.unreadable.hint',
                            'The key this authenticator secret was sealed with is not configured: the user cannot sign in with the app. Add the old key to previousEncryptionKeys and restart, or reset the user.'
                          )}
                        >
                          <Badge backgroundColor="danger100" textColor="danger700">{t('users.unreadable', 'Secret unreadable')}</Badge>
                        </Tooltip>
                      )}
                    </Flex>
                  ) : (
                    <Typography textColor="neutral600">{t('users.none', 'None')}</Typography>
                  )}
                </Td>
                <Td><Typography>{user.backupCodesRemaining}</Typography></Td>
                <Td>
                  {user.lockedUntil ? (
                    <Flex direction="column" alignItems="flex-start" gap={1}>
                      <Typography textColor="danger600">{dateTime(user.lockedUntil)}</Typography>
                      <Button variant="tertiary" size="S" startIcon={<Lock />} disabled={!canReset} onClick={() => unlock(user)}>
                        {t('users.unlock', 'Unlock')}
                      </Button>
                    </Flex>
                  ) : (
                    <Typography textColor="neutral600">—</Typography>
                  )}
                </Td>
                <Td><Typography>{user.devices}</Typography></Td>
                <Td><Typography>{user.passkeys}</Typography></Td>
                <Td>
                  <Flex direction="column" alignItems="stretch" gap={2}>
                    <Button
                      variant="danger-light"
                      size="S"
                      startIcon={<ArrowClockwise />}
                      disabled={!canReset || !hasState}
                      onClick={() => setResetting(user)}
                    >
                      {t('users.reset', 'Reset 2FA')}
                    </Button>
                    <Button variant="tertiary" size="S" disabled={!canReset || user.devices === 0} onClick={() => setForgetting(user)}>
                      {t('users.devices.revoke', 'Revoke devices')}
                    </Button>
                  </Flex>
                </Td>
              </Tr>
            );
          })}
        </ResultTable>
        <Pager pagination={data.pagination} onPage={setPage} />
      </Layouts.Content>
      <Dialog.Root open={resetting !== null} onOpenChange={(open: boolean) => !open && setResetting(null)}>
        {resetting && (
          <ConfirmDialog onConfirm={reset} title={t('users.reset.title', 'Reset two-factor?')}>
            {t(
              'users.reset.confirm',
              'Reset two-factor for {name}? This removes {removed}; pending logins end, and they are told by email. They sign in with their password alone until they enrol again; a role that requires two-factor asks them to set it up at their next login.',
              { name: resetting.username ?? resetting.email ?? String(resetting.id), removed: removedBy(resetting) }
            )}
          </ConfirmDialog>
        )}
      </Dialog.Root>
      <Dialog.Root open={forgetting !== null} onOpenChange={(open: boolean) => !open && setForgetting(null)}>
        {forgetting && (
          <ConfirmDialog onConfirm={revokeDevices} title={t('users.devices.title', 'Revoke remembered devices?')}>
            {t(
              'users.devices.confirm',
              'Forget the {count, plural, one {# remembered device} other {# remembered devices}} of {name}? Their next login on each asks for the second factor again.',
              { name: nameOf(forgetting), count: forgetting.devices }
            )}
          </ConfirmDialog>
        )}
      </Dialog.Root>
    </Page.Main>
  );
};

export const ProtectedUsersPage = () => (
  <Page.Protect permissions={PERMISSIONS.readUsers}>
    <UsersPage />
  </Page.Protect>
);

export default ProtectedUsersPage;
