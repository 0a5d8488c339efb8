import { expect } from 'chai';
import { mdCell } from '../../reports/markdown/markdown-escape.js';

describe('Markdown escaping', () => {
  it('keeps untrusted text inside one table cell and out of HTML', () => {
    expect(mdCell('a|b\n<script>alert(1)</script> `x` & y')).to.equal("a\\|b &lt;script&gt;alert(1)&lt;/script&gt; 'x' &amp; y");
  });
});
