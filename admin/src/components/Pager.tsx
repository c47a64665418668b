import { Button, Flex, Typography } from '@strapi/design-system';
import { ChevronLeft, ChevronRight } from '@strapi/icons';
import { useT } from '../utils/useT';
import type { Pagination } from '../utils/types';

/** Previous / next and where we are; the pages keep page state themselves. */
export const Pager = ({ pagination, onPage }: { pagination: Pagination; onPage: (page: number) => void }) => {
  const { t } = useT();
  const { page, pageCount, total } = pagination;
  return (
    <Flex justifyContent="space-between" paddingTop={4}>
      <Typography variant="pi" textColor="neutral600">
        {t('pager.summary', 'Page {page} of {pageCount} · {total} in all', { page, pageCount: Math.max(pageCount, 1), total })}
      </Typography>
      <Flex gap={2}>
        <Button variant="tertiary" size="S" startIcon={<ChevronLeft />} disabled={page <= 1} onClick={() => onPage(page - 1)}>
          {t('pager.previous', 'Previous')}
        </Button>
        <Button variant="tertiary" size="S" endIcon={<ChevronRight />} disabled={page >= pageCount} onClick={() => onPage(page + 1)}>
          {t('pager.next', 'Next')}
        </Button>
      </Flex>
    </Flex>
  );
};
