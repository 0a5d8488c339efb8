// Where nltk's English Punkt parameters come from: nltk_data's punkt_tab package (the text-file form
// nltk >= 3.8.2 reads), unpacked into the data dir by `evalfirst data fetch punkt_tab`. Not pinned to
// a commit or checksum: none could be fetched or measured when this pin was written, so the archive
// and its members are "unverified" (fetched, used, and reported as such).
import { GITHUB_RAW, type DataSource } from '../data-source.js';
import { PUNKT_FILES, PUNKT_TAB_DIR } from './punkt-params.js';

export const PUNKT_TAB_ZIP_URL = `${GITHUB_RAW}/nltk/nltk_data/gh-pages/packages/tokenizers/punkt_tab.zip`;

export const PUNKT_TAB_DATA: DataSource = {
  name: 'punkt_tab',
  archive: {
    archive: { path: 'nltk/tokenizers/punkt_tab.zip', url: PUNKT_TAB_ZIP_URL, sha256: null, bytes: null },
    members: ['punkt_tab/README', 'punkt_tab/english/*'],
    into: 'nltk/tokenizers',
    format: 'zip',
  },
  pins: PUNKT_FILES.map((f) => ({
    path: `${PUNKT_TAB_DIR}/english/${f}`,
    url: null,
    sha256: null,
    bytes: null,
    source: `member punkt_tab/english/${f} of ${PUNKT_TAB_ZIP_URL} (unverified)`,
  })),
};
