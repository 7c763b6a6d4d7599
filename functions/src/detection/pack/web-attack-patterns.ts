/**
 * RE2 patterns for attacks carried in a request URI (what an access log records). Matched
 * against `url.original` after URL (twice), `+` and HTML-entity decoding, ignoring case.
 * Measured on the OWASP CRS regression requests in samples/ (see README: web attack rules).
 */
export const SQL_INJECTION = [
  // A quote closing the value, then boolean logic: ' or '1'='1, " and 1=1
  `['"\`]\\s*\\)*\\s*(?:or|and|xor|\\|\\||&&|div|like|rlike|regexp|sounds\\s+like)\\b`,
  `['"\`]\\s*\\)*\\s*(?:\\|\\||&&)`,
  // Tautologies on numbers: 1 or 1=1, 1) and (2>1
  `\\b(?:or|and|xor|having)\\s+\\(?\\s*['"]?\\w+['"]?\\s*(?:=|<=?|>=?|<>|!=|like)\\s*\\(?['"]?\\w+`,
  `\\bunion\\b[\\s\\S]{0,60}?\\bselect\\b`,
  `\\bselect\\b[\\s\\S]{1,120}?\\bfrom\\b[\\s\\S]{1,80}?\\b(?:where|limit|order|group|union)\\b`,
  `\\bselect\\s+(?:\\*|@@|[\\w(),\\s]{1,80}?\\bfrom\\s+(?:information_schema|mysql|sys|pg_|dual|users?\\b))`,
  `;\\s*(?:drop|delete|insert|update|truncate|alter|create|shutdown|exec|execute|declare|select)\\b`,
  `\\b(?:sleep|benchmark|pg_sleep|extractvalue|updatexml|load_file|utl_inaddr|dbms_pipe|sys_eval|group_concat|concat_ws)\\s*\\(`,
  `\\bwaitfor\\s+(?:delay|time)\\b|\\binto\\s+(?:out|dump)file\\b|\\binformation_schema\\b|@@(?:version|datadir|hostname)\\b`,
  `['"]\\s*(?:;|--|#|/\\*)`,
  `\\b(?:char|chr|ascii|substring|substr|mid|hex|unhex|cast|convert)\\s*\\(\\s*(?:\\d|@|select|0x)`,
  // Operators opening a value (a parameter set to "xor 2<", "or 'a'<", "having count(…) > 5")
  `[=&?]\\s*(?:or|xor|and|having|union|except|intersect)\\b\\s*(?:['"(\\d]|\\w+\\s*(?:=|<|>|\\())`,
  `\\bcase\\s+when\\b[\\s\\S]{1,80}?\\bthen\\b|\\bhaving\\s+count\\s*\\(|\\bexecute\\s+immediate\\b|\\bexcept\\s+(?:select|values)\\b|\\bif\\s*\\(\\s*\\w+\\s*[=<>]`,
  // PostgreSQL casts and functions, NoSQL operators
  `::\\s*(?:int|integer|bigint|text|jsonb?|double|numeric|varchar|regclass)\\b|\\bpg_(?:sleep|catalog|read_file|ls_dir|user)\\b|\\blo_(?:get|import|export)\\s*\\(`,
  `\\[\\s*\\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|or|and|not|expr)\\s*\\]`,
  `\\bdrop\\s+(?:table\\s+|database\\s+)?\\w+\\s*;|\\blike\\s+null\\b|\\b(?:is\\s+not|<=>)\\s*\\d`,
  `\\border\\s+by\\s+\\d+\\s*(?:--|#|/\\*)|\\bexec\\s+(?:xp|sp)_\\w+`,
];

export const XSS = [
  `<\\s*/?\\s*(?:script|iframe|frame|frameset|object|embed|applet|svg|math|base|meta|link|style|xml|import|form|isindex|marquee|template)\\b`,
  `<[^>]*\\bon[a-z]{3,30}\\s*=`,
  `\\bon(?:error|load|click|mouse\\w+|focus|blur|key\\w+|submit|change|toggle|animation\\w+|transition\\w+|pointer\\w+|begin|end|start|wheel|drag\\w*|input|invalid|scroll|resize|unload|message|hashchange|pageshow)\\s*=`,
  `(?:java|vb|live)script\\s*:|data\\s*:\\s*text/html|data\\s*:[^,]*;base64`,
  `\\b(?:alert|prompt|confirm|eval|settimeout|setinterval)\\s*(?:\\(|\`)|document\\s*\\.\\s*(?:cookie|domain|write|location)|window\\s*\\.\\s*location|\\.innerhtml\\b`,
  `<\\s*(?:img|image|video|audio|source|body|input|a|div|details|button|select|textarea|keygen|table|td|bgsound)\\b[^>]*\\b(?:src|href|background|dynsrc|lowsrc|formaction|action|style)\\s*=`,
  `\\bexpression\\s*\\(|@import\\b|-moz-binding|\\bfromcharcode\\b`,
];

export const PATH_TRAVERSAL = [
  `(?:^|[/\\\\=?&])\\.{2,}[/\\\\]`,
  `[/\\\\]\\.{2,}(?:[/\\\\]|$)`,
  `(?:^|[/\\\\=?&])(?:etc[/\\\\](?:passwd|shadow|group|hosts|issue|motd|crontab|sudoers)|proc[/\\\\](?:self|\\d+)[/\\\\]|windows[/\\\\](?:win\\.ini|system32)|boot\\.ini|winnt[/\\\\])`,
  `(?:file|php|zip|phar|expect|glob|data)://`,
  `\\x00`,
  `\\.(?:htaccess|htpasswd|git[/\\\\]|svn[/\\\\]|env\\b|ssh[/\\\\])`,
];

export const COMMAND_INJECTION = [
  // A shell separator, then a command
  `(?:;|\\||&|\\$\\(|\`|\\n|\\r)\\s*(?:[\\w./]*/)?(?:cat|ls|id|whoami|uname|wget|curl|nc|ncat|netcat|bash|sh|zsh|ksh|dash|python[0-9.]*|perl|ruby|php|ping|nslookup|dig|echo|rm|chmod|chown|env|printenv|ifconfig|ip|busybox|powershell|cmd|telnet|tftp|ftp|head|tail|more|less|find|xargs|awk|sed|sleep|kill|ps|netstat|passwd|useradd|crontab|systemctl|sudo|su|nohup|base64|xterm|socat|openssl|tar|gzip|dd|mkfifo|mknod|whois|hostname|w|who|last|lastlog|set|export|eval|exec|sort|time|cp|mv|touch|vi|vim|nano|pwd|cd|df|du|mount|tee)(?:\\s|$|[;|&<>'"\`)])`,
  `\\$\\{?ifs\\b|\\$\\{[a-z_]*:?[-=+?]|\\$\\(\\s*\\w|\`[^\`]{1,80}\``,
  `/(?:bin|usr/bin|usr/local/bin|sbin)/\\w+`,
  `\\b(?:nc|ncat|netcat)\\b[^&|;]{0,40}\\s-[a-z]*[ec]\\b|\\bbash\\s+-[ic]\\b|\\bsh\\s+-c\\b|/dev/(?:tcp|udp)/`,
  `\\b(?:system|passthru|shell_exec|popen|proc_open|exec)\\s*\\(|\\bcmd(?:\\.exe)?\\s*/[ck]\\b|\\bpowershell\\b[^&]{0,40}-(?:e|enc|encodedcommand|c|command)\\b`,
  `\\{\\s*(?:cat|ls|id|curl|wget|bash|sh|echo),`,
  `;\\s*\\w+\\s+[\\w./-]*\\s*[;|&]`,
  // A parameter that is itself a command line: cmd=cat /etc/passwd, x=ping 127.0.0.1
  `=\\s*(?:cat|ls|wget|curl|nc|ncat|bash|sh|python[0-9.]*|perl|ping|nslookup|busybox|powershell|mshta|certutil|bitsadmin|rundll32|regsvr32|wmic)\\s+["'-]?[\\w./:$-]`,
  // Globs and quote evasion that rebuild a path or a command: /etc/pa[s]swd, /???/?s, c$!at, 'i'fconfig, ti''me
  `/(?:etc|bin|usr|dev|proc|tmp)/[^&\\s]*[\\[?*]|/\\?{2,}|(?:\\w['"\\\\]{1,2}){2,}\\w|\\$[!_@*#?$]\\w`,
  // Windows shell syntax: FOR /F %%G IN (...) DO, IF EXIST, %COMSPEC%
  `\\bfor\\s+(?:/[dflr]\\s+)*(?:"[^"]*"\\s+)?%%?[\\w~/]+\\s+in\\s*\\(|\\bif\\s+(?:/i\\s+)?(?:not\\s+)?(?:exist|defined|errorlevel|cmdextversion)\\b|%(?:comspec|systemroot|windir|errorlevel)%`,
  `\\$\\(\\(|\\$\\[|&&\\s*\\(|\\{\\s*,\\s*[$'\\w]`,
];
