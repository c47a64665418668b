import * as React from 'react';
import { Box, Table, Tbody, Th, Thead, Tr, Typography } from '@strapi/design-system';

/** A page of results under its column titles, or a line saying there is none. */
export const ResultTable = ({ columns, rows, empty, children }: { columns: string[]; rows: number; empty: string; children: React.ReactNode }) =>
  rows === 0 ? (
    <Box background="neutral0" padding={8} hasRadius shadow="filterShadow">
      <Typography textColor="neutral600">{empty}</Typography>
    </Box>
  ) : (
    <Table colCount={columns.length} rowCount={rows + 1}>
      <Thead>
        <Tr>
          {columns.map((column) => (
            <Th key={column}>
              <Typography variant="sigma">{column}</Typography>
            </Th>
          ))}
        </Tr>
      </Thead>
      <Tbody>{children}</Tbody>
    </Table>
  );
