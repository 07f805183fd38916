// Reference TF-IDF rows computed once with scikit-learn (Debian python3-sklearn) by
// the script below; tfidf.spec.ts checks fitTfidf + transformTfidfSparse against
// them. The corpus is ASCII plus é (precomposed, which NFKC keeps), an emoji
// (one code point, two UTF-16 units), a tab, a newline, a no-break space and
// repeated spaces, so NFKC changes nothing and both tokenisers must agree.
//
// import json, sklearn, numpy as np
// from sklearn.feature_extraction.text import TfidfVectorizer
// from sklearn.pipeline import FeatureUnion
//
// corpus = [
//     'Great movie, great acting!',
//     'Terrible movie...  awful acting.',
//     'A great story\tand great music \U0001F600',
//     "I didn't like the movie \U0001F600 at all",
//     'The story_line was great; the music was awful.',
//     'Caf\u00e9\u00a0music, a movie night:\n10/10 great',
// ]
// opts = dict(sublinear_tf=True, min_df=2, norm='l2')
// u = FeatureUnion([('w', TfidfVectorizer(analyzer='word', ngram_range=(1, 2), **opts)),
//                   ('c', TfidfVectorizer(analyzer='char_wb', ngram_range=(3, 5), **opts))])
// X = (u.fit_transform(corpus) / np.sqrt(2)).tocsr()
// X.sort_indices()
// names = [n.replace('w__', 'w:', 1).replace('c__', 'c:', 1) for n in u.get_feature_names_out()]
// rows = [[[int(j), round(float(v), 7)] for j, v in zip(X.indices[X.indptr[i]:X.indptr[i + 1]], X.data[X.indptr[i]:X.indptr[i + 1]])]
//         for i in range(X.shape[0])]
// print(f"export const SKLEARN_VERSION = '{sklearn.__version__}';")
// print('export const CORPUS = [\n' + ''.join('  %s,\n' % json.dumps(t) for t in corpus) + '];')
// def wrap(items, indent='  '):
//     lines, line = [], ''
//     for it in items:
//         if line and len(line) + len(it) > 100:
//             lines.append(indent + line.rstrip())
//             line = ''
//         line += it + ', '
//     return '\n'.join(lines + [indent + line.rstrip()])
// print('export const NAMES = [\n' + wrap([json.dumps(n, ensure_ascii=False) for n in names]) + '\n];')
// print('/** Per row: [column, value] in ascending column order. */')
// print('export const ROWS: [number, number][][] = [')
// for r in rows:
//     print('  [\n' + wrap(['[%d, %s]' % (j, v) for j, v in r], '    ') + '\n  ],')
// print('];')

export const SKLEARN_VERSION = '1.2.1';
export const CORPUS = [
  "Great movie, great acting!",
  "Terrible movie...  awful acting.",
  "A great story\tand great music \ud83d\ude00",
  "I didn't like the movie \ud83d\ude00 at all",
  "The story_line was great; the music was awful.",
  "Caf\u00e9\u00a0music, a movie night:\n10/10 great",
];
export const NAMES = [
  "w:acting", "w:awful", "w:great", "w:movie", "w:music", "w:the", "c: a ", "c: ac", "c: act",
  "c: acti", "c: aw", "c: awf", "c: awfu", "c: gr", "c: gre", "c: grea", "c: mo", "c: mov", "c: movi",
  "c: mu", "c: mus", "c: musi", "c: st", "c: sto", "c: stor", "c: th", "c: the", "c: the ", "c: 😀 ",
  "c:act", "c:acti", "c:actin", "c:at ", "c:awf", "c:awfu", "c:awful", "c:cti", "c:ctin", "c:cting",
  "c:eat", "c:eat ", "c:ful", "c:gre", "c:grea", "c:great", "c:he ", "c:ic ", "c:ie ", "c:ing",
  "c:mov", "c:movi", "c:movie", "c:mus", "c:musi", "c:music", "c:ory", "c:ovi", "c:ovie", "c:ovie ",
  "c:rea", "c:reat", "c:reat ", "c:sic", "c:sic ", "c:sto", "c:stor", "c:story", "c:the", "c:the ",
  "c:tin", "c:ting", "c:tor", "c:tory", "c:usi", "c:usic", "c:usic ", "c:vie", "c:vie ", "c:wfu",
  "c:wful",
];
/** Per row: [column, value] in ascending column order. */
export const ROWS: [number, number][][] = [
  [
    [0, 0.4066309], [2, 0.4981018], [3, 0.2941869], [7, 0.1181758], [8, 0.1181758], [9, 0.1181758],
    [13, 0.1447592], [14, 0.1447592], [15, 0.1447592], [16, 0.0854971], [17, 0.0854971], [18, 0.0854971],
    [29, 0.1181758], [30, 0.1181758], [31, 0.1181758], [32, 0.1447592], [36, 0.1181758], [37, 0.1181758],
    [38, 0.1181758], [39, 0.1447592], [40, 0.1689288], [42, 0.1447592], [43, 0.1447592], [44, 0.1447592],
    [48, 0.1181758], [49, 0.0854971], [50, 0.0854971], [51, 0.0854971], [56, 0.0854971], [57, 0.0854971],
    [59, 0.1447592], [60, 0.1447592], [61, 0.1689288], [69, 0.1181758], [70, 0.1181758], [76, 0.0854971],
  ],
  [
    [0, 0.4451339], [1, 0.4451339], [3, 0.3220429], [7, 0.139453], [8, 0.139453], [9, 0.139453],
    [10, 0.139453], [11, 0.139453], [12, 0.139453], [16, 0.1008906], [17, 0.1008906], [18, 0.1008906],
    [29, 0.139453], [30, 0.139453], [31, 0.139453], [33, 0.139453], [34, 0.139453], [35, 0.139453],
    [36, 0.139453], [37, 0.139453], [38, 0.139453], [41, 0.139453], [48, 0.139453], [49, 0.1008906],
    [50, 0.1008906], [51, 0.1008906], [56, 0.1008906], [57, 0.1008906], [69, 0.139453], [70, 0.139453],
    [76, 0.1008906], [78, 0.139453], [79, 0.139453],
  ],
  [
    [2, 0.5822155], [4, 0.4012793], [6, 0.112499], [13, 0.1378055], [14, 0.1378055], [15, 0.1378055],
    [19, 0.0949794], [20, 0.0949794], [21, 0.0949794], [22, 0.112499], [23, 0.112499], [24, 0.112499],
    [28, 0.112499], [32, 0.1378055], [39, 0.1378055], [40, 0.1608141], [42, 0.1378055], [43, 0.1378055],
    [44, 0.1378055], [46, 0.112499], [52, 0.0949794], [53, 0.0949794], [54, 0.0949794], [55, 0.112499],
    [59, 0.1378055], [60, 0.1378055], [61, 0.1608141], [62, 0.0949794], [63, 0.112499], [64, 0.112499],
    [65, 0.112499], [66, 0.112499], [71, 0.112499], [72, 0.112499], [73, 0.0949794], [74, 0.0949794],
    [75, 0.112499],
  ],
  [
    [3, 0.4144756], [5, 0.5728962], [16, 0.1310687], [17, 0.1310687], [18, 0.1310687], [25, 0.1811657],
    [26, 0.1811657], [27, 0.1811657], [28, 0.1811657], [32, 0.1310687], [45, 0.1811657], [47, 0.1811657],
    [49, 0.1310687], [50, 0.1310687], [51, 0.1310687], [56, 0.1310687], [57, 0.1310687], [58, 0.1811657],
    [67, 0.1811657], [68, 0.1811657], [76, 0.1310687], [77, 0.1811657],
  ],
  [
    [1, 0.3130216], [2, 0.226463], [4, 0.2642743], [5, 0.5299916], [10, 0.1006806], [11, 0.1006806],
    [12, 0.1006806], [13, 0.0728398], [14, 0.0728398], [15, 0.0728398], [19, 0.0850014], [20, 0.0850014],
    [21, 0.0850014], [22, 0.1006806], [23, 0.1006806], [24, 0.1006806], [25, 0.170467], [26, 0.170467],
    [27, 0.170467], [33, 0.1006806], [34, 0.1006806], [35, 0.1006806], [39, 0.0728398], [41, 0.1006806],
    [42, 0.0728398], [43, 0.0728398], [44, 0.0728398], [45, 0.170467], [46, 0.1006806], [52, 0.0850014],
    [53, 0.0850014], [54, 0.0850014], [55, 0.1006806], [59, 0.0728398], [60, 0.0728398], [62, 0.0850014],
    [63, 0.1006806], [64, 0.1006806], [65, 0.1006806], [66, 0.1006806], [67, 0.170467], [68, 0.170467],
    [71, 0.1006806], [72, 0.1006806], [73, 0.0850014], [74, 0.0850014], [75, 0.1006806], [78, 0.1006806],
    [79, 0.1006806],
  ],
  [
    [2, 0.3856547], [3, 0.3856547], [4, 0.4500454], [6, 0.1514958], [13, 0.1096033], [14, 0.1096033],
    [15, 0.1096033], [16, 0.1096033], [17, 0.1096033], [18, 0.1096033], [19, 0.1279032], [20, 0.1279032],
    [21, 0.1279032], [32, 0.1096033], [39, 0.1096033], [40, 0.1279032], [42, 0.1096033], [43, 0.1096033],
    [44, 0.1096033], [47, 0.1514958], [49, 0.1096033], [50, 0.1096033], [51, 0.1096033], [52, 0.1279032],
    [53, 0.1279032], [54, 0.1279032], [56, 0.1096033], [57, 0.1096033], [58, 0.1514958], [59, 0.1096033],
    [60, 0.1096033], [61, 0.1279032], [62, 0.1279032], [73, 0.1279032], [74, 0.1279032], [76, 0.1096033],
    [77, 0.1514958],
  ],
];
