<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>QObject</name>
    <message>
        <source>&quot;%1&quot; is not a number; use digits with an optional decimal point, e.g. 0.075.</source>
        <translation>“%1”不是数字；请输入数字，可带小数点，例如 0.075。</translation>
    </message>
    <message>
        <source>A ratio cannot be negative.</source>
        <translation>倍率不能为负数。</translation>
    </message>
    <message>
        <source>%1 is too large to be a price ratio.</source>
        <translation>%1 太大，不能作为价格倍率。</translation>
    </message>
    <message>
        <source>Simulate traffic</source>
        <translation>模拟流量</translation>
    </message>
    <message>
        <source>The relay is not running.</source>
        <translation>中转服务未运行。</translation>
    </message>
    <message>
        <source>Simulated traffic uses the demo channel and the demo user, which this database does not have.</source>
        <translation>模拟流量需要演示渠道和演示用户，但此数据库中没有。</translation>
    </message>
    <message>
        <source>Start relay</source>
        <translation>启动中转</translation>
    </message>
    <message>
        <source>The relay is already running.</source>
        <translation>中转服务已在运行。</translation>
    </message>
    <message>
        <source>Restart RelayDesk to start the relay again (%1).</source>
        <translation>请重启 RelayDesk 以再次启动中转服务（%1）。</translation>
    </message>
    <message>
        <source>it was stopped</source>
        <translation>它已被停止</translation>
    </message>
    <message>
        <source>Welcome to RelayDesk</source>
        <translation>欢迎使用 RelayDesk</translation>
    </message>
    <message>
        <source>Enter a price in US$ per 1,000 calls (0 = free).</source>
        <translation>请输入每 1,000 次调用的美元价格（0 = 免费）。</translation>
    </message>
    <message>
        <source>A price cannot be negative.</source>
        <translation>价格不能为负数。</translation>
    </message>
    <message>
        <source>%1 is too large to be a price.</source>
        <translation>%1 太大，不能作为价格。</translation>
    </message>
    <message>
        <source>Enter a price in US$ (0 = free).</source>
        <translation>请输入美元价格（0 = 免费）。</translation>
    </message>
    <message>
        <source>Enter a model name.</source>
        <translation>请输入模型名称。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a model name: use letters, digits and . _ - : / @ +, optionally ending in * for a prefix rule.</source>
        <translation>“%1”不是有效的模型名：只能使用字母、数字和 . _ - : / @ +，结尾可加 * 表示前缀规则。</translation>
    </message>
    <message>
        <source>Point any OpenAI SDK at &lt;b&gt;%1&lt;/b&gt; with this key, or the Anthropic SDK and Claude Code at &lt;b&gt;%2&lt;/b&gt; (ANTHROPIC_BASE_URL). The demo channels answer without an OpenAI or Anthropic account; File → Simulate traffic sends a few requests.</source>
        <translation>将任意 OpenAI SDK 指向 &lt;b&gt;%1&lt;/b&gt; 并使用此密钥，或将 Anthropic SDK 和 Claude Code 指向 &lt;b&gt;%2&lt;/b&gt;（ANTHROPIC_BASE_URL）。演示渠道无需 OpenAI 或 Anthropic 账号即可应答；“文件 → 模拟流量”会发送一些请求。</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Monitor::EndpointKind</name>
    <message>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Responses</source>
        <translation>Responses</translation>
    </message>
    <message>
        <source>Realtime</source>
        <translation>Realtime</translation>
    </message>
    <message>
        <source>Embeddings</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>文本补全</translation>
    </message>
    <message>
        <source>Moderation</source>
        <translation>内容审核</translation>
    </message>
    <message>
        <source>Transcription</source>
        <translation>语音转写</translation>
    </message>
    <message>
        <source>Speech</source>
        <translation>语音合成</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息（Anthropic）</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::AlertListEdit</name>
    <message>
        <source>One alert a line, e.g.
day 80%
24h 100%
balance $5.00</source>
        <translation>每行一条提醒，例如：
day 80%
24h 100%
balance $5.00</translation>
    </message>
    <message>
        <source>Line %1: “%2” is not an amount above zero ($5.00, or quota units).</source>
        <translation>第 %1 行：“%2”不是大于零的金额（如 $5.00，或额度单位）。</translation>
    </message>
    <message>
        <source>Line %1: “%2” is neither “&lt;window&gt; &lt;percent&gt;%” nor “balance &lt;amount&gt;”.</source>
        <translation>第 %1 行：“%2”既不是“&lt;窗口&gt; &lt;百分比&gt;%”，也不是“balance &lt;金额&gt;”。</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::AlertNotifier</name>
    <message>
        <source>key %1 (%2)</source>
        <translation>密钥 %1（%2）</translation>
    </message>
    <message>
        <source>user %1</source>
        <translation>用户 %1</translation>
    </message>
    <message>
        <source>daily</source>
        <translation>每日</translation>
    </message>
    <message>
        <source>weekly</source>
        <translation>每周</translation>
    </message>
    <message>
        <source>monthly</source>
        <translation>每月</translation>
    </message>
    <message>
        <source>rolling %1</source>
        <translation>滚动 %1</translation>
    </message>
    <message>
        <source>Budget alert</source>
        <translation>预算提醒</translation>
    </message>
    <message>
        <source>Low balance</source>
        <translation>余额不足</translation>
    </message>
    <message>
        <source>%1 has %2 left, below the alert at %3.</source>
        <translation>%1 仅剩 %2，低于提醒阈值 %3。</translation>
    </message>
    <message>
        <source>%1 has spent %2 of its %3 budget of %4 (%5%, alert at %6%).</source>
        <translation>%1 已用去%3预算 %4 中的 %2（%5%，提醒阈值 %6%）。</translation>
    </message>
    <message>
        <source>It resets %1.</source>
        <translation>将于 %1 重置。</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::BreakdownBar</name>
    <message>
        <source>nothing yet</source>
        <translation>暂无数据</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::BudgetWindowsModel</name>
    <message>
        <source>Row %1: &quot;%2&quot; is not a budget window (day, week, month or 1h…%3h).</source>
        <translation>第 %1 行：“%2”不是预算窗口（day、week、month 或 1h…%3h）。</translation>
    </message>
    <message>
        <source>Row %1: the %2 window is already on row %3.</source>
        <translation>第 %1 行：%2 窗口已在第 %3 行。</translation>
    </message>
    <message>
        <source>not applied yet</source>
        <translation>尚未应用</translation>
    </message>
    <message>
        <source>day, week or month (calendar, in the budget time zone) or Nh: a rolling window of N hours</source>
        <translation>day、week 或 month（按预算时区的日历计算），或 Nh：N 小时的滚动窗口</translation>
    </message>
    <message>
        <source>When the oldest spend leaves the rolling window</source>
        <translation>最早的花费离开滚动窗口的时间</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Cap</source>
        <translation>上限</translation>
    </message>
    <message>
        <source>Spent</source>
        <translation>已花费</translation>
    </message>
    <message>
        <source>Period start</source>
        <translation>周期开始</translation>
    </message>
    <message>
        <source>Resets</source>
        <translation>重置时间</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::ChannelsModel</name>
    <message>
        <source>%1 mapped</source>
        <translation>已映射 %1 个</translation>
    </message>
    <message>
        <source>enabled</source>
        <translation>已启用</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>已禁用</translation>
    </message>
    <message>
        <source>Higher priority channels are used first; lower ones only when they fail</source>
        <translation>优先使用优先级高的渠道；只有在其失败时才使用优先级低的渠道</translation>
    </message>
    <message>
        <source>Among channels of the same priority, traffic is shared in proportion to weight</source>
        <translation>同一优先级的渠道之间，按权重比例分配流量</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>基础 URL</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Model mapping</source>
        <translation>模型映射</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>已用</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>probing</source>
        <translation>探测中</translation>
    </message>
    <message>
        <source>unhealthy · retry in %1 s</source>
        <translation>异常 · %1 秒后重试</translation>
    </message>
    <message>
        <source>unhealthy · probe due</source>
        <translation>异常 · 待探测</translation>
    </message>
    <message numerus="yes">
        <source>%n consecutive failure(s); last: %1</source>
        <translation>
            <numerusform>连续失败 %n 次；最近一次：%1</numerusform>
        </translation>
    </message>
    <message>
        <source>A failing channel is skipped for a back-off (5 s doubling to 5 min; auth failures 1 min to 30 min), then one call probes it</source>
        <translation>出错的渠道会在退避期内被跳过（5 秒起翻倍至 5 分钟；鉴权失败为 1 分钟至 30 分钟），之后由一次调用进行探测</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>健康状态</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::ChannelsPage</name>
    <message>
        <source>OK · %1 · %2 ms</source>
        <translation>成功 · %1 · %2 毫秒</translation>
    </message>
    <message>
        <source>Failed (HTTP %1, %2 ms): %3</source>
        <translation>失败（HTTP %1，%2 毫秒）：%3</translation>
    </message>
    <message>
        <source>Add channel…</source>
        <translation>添加渠道…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Enable / disable</source>
        <translation>启用 / 禁用</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Send a minimal chat request (max_tokens 1) through this channel and show the latency or the error</source>
        <translation>通过此渠道发送一个最小的聊天请求（max_tokens 1），显示延迟或错误</translation>
    </message>
    <message>
        <source>Remove channel</source>
        <translation>删除渠道</translation>
    </message>
    <message>
        <source>Remove channel %1?</source>
        <translation>确定删除渠道 %1 吗？</translation>
    </message>
    <message>
        <source>Testing %1…</source>
        <translation>正在测试 %1…</translation>
    </message>
    <message>
        <source>Not valid JSON: %1 (at character %2).</source>
        <translation>不是有效的 JSON：%1（位于第 %2 个字符）。</translation>
    </message>
    <message>
        <source>The mapping must be a JSON object, e.g. {&quot;gpt-4o&quot;: &quot;gpt-4o-2024-08-06&quot;}.</source>
        <translation>映射必须是 JSON 对象，例如 {&quot;gpt-4o&quot;: &quot;gpt-4o-2024-08-06&quot;}。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; must map to a model name (a non-empty string).</source>
        <translation>“%1”必须映射到一个模型名称（非空字符串）。</translation>
    </message>
    <message>
        <source>Add channel</source>
        <translation>添加渠道</translation>
    </message>
    <message>
        <source>Edit %1</source>
        <translation>编辑 %1</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>Base URL:</source>
        <translation>基础 URL：</translation>
    </message>
    <message>
        <source>Secret:</source>
        <translation>密钥：</translation>
    </message>
    <message>
        <source>Models:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Groups:</source>
        <translation>分组：</translation>
    </message>
    <message>
        <source>Model mapping (JSON):</source>
        <translation>模型映射（JSON）：</translation>
    </message>
    <message>
        <source>Priority:</source>
        <translation>优先级：</translation>
    </message>
    <message>
        <source>Weight:</source>
        <translation>权重：</translation>
    </message>
    <message>
        <source>No channel with id %1.</source>
        <translation>没有 ID 为 %1 的渠道。</translation>
    </message>
    <message>
        <source>A channel&apos;s name and type cannot be changed; add a new channel instead.</source>
        <translation>渠道的名称和类型不能修改；请新建一个渠道。</translation>
    </message>
    <message>
        <source>No database is open.</source>
        <translation>数据库未打开。</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::ConsolePage</name>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::CsvExport</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Export cancelled.</source>
        <translation>导出已取消。</translation>
    </message>
    <message>
        <source>No database is open.</source>
        <translation>数据库未打开。</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::DashboardPage</name>
    <message>
        <source>Last 24 hours, by hour</source>
        <translation>最近 24 小时，按小时</translation>
    </message>
    <message>
        <source>Last 7 days, by day</source>
        <translation>最近 7 天，按天</translation>
    </message>
    <message>
        <source>Last 30 days, by day</source>
        <translation>最近 30 天，按天</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>Quota</source>
        <translation>额度</translation>
    </message>
    <message>
        <source>By model</source>
        <translation>按模型</translation>
    </message>
    <message>
        <source>By user</source>
        <translation>按用户</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>%1 requests · %2 tokens · %3</source>
        <translation>%1 次请求 · %2 个令牌 · %3</translation>
    </message>
    <message>
        <source>Spend (US$) over time</source>
        <translation>花费（美元）趋势</translation>
    </message>
    <message>
        <source>Quota over time</source>
        <translation>额度趋势</translation>
    </message>
    <message>
        <source>Tokens over time</source>
        <translation>令牌用量趋势</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Text vs audio (latest %1 requests)</source>
        <translation>文本与音频（最近 %1 次请求）</translation>
    </message>
    <message>
        <source>text in</source>
        <translation>文本输入</translation>
    </message>
    <message>
        <source>audio in</source>
        <translation>音频输入</translation>
    </message>
    <message>
        <source>text out</source>
        <translation>文本输出</translation>
    </message>
    <message>
        <source>audio out</source>
        <translation>音频输出</translation>
    </message>
    <message>
        <source>By endpoint</source>
        <translation>按端点</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::EndpointTotalsModel</name>
    <message>
        <source>Any other endpoint, or a row without one</source>
        <translation>其他端点，或未记录端点的行</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求数</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>Quota</source>
        <translation>额度</translation>
    </message>
    <message>
        <source>Share of quota</source>
        <translation>额度占比</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::GroupRatioModel</name>
    <message>
        <source>set group ratio %1 to %2</source>
        <translation>将分组倍率 %1 设为 %2</translation>
    </message>
    <message>
        <source>add group %1</source>
        <translation>添加分组 %1</translation>
    </message>
    <message>
        <source>remove group %1</source>
        <translation>删除分组 %1</translation>
    </message>
    <message>
        <source>Every price is multiplied by this for users in group %1 (1 = list price, 0.8 = 20% off).</source>
        <translation>分组 %1 的用户的所有价格都乘以此倍率（1 = 原价，0.8 = 八折）。</translation>
    </message>
    <message>
        <source>Users in group %1 using group %2 pay this ratio instead of %2&apos;s group ratio.</source>
        <translation>分组 %1 的用户使用分组 %2 时，按此倍率计费，而不是 %2 的分组倍率。</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Group ratio</source>
        <translation>分组倍率</translation>
    </message>
    <message>
        <source>User group</source>
        <translation>用户分组</translation>
    </message>
    <message>
        <source>Using group</source>
        <translation>使用分组</translation>
    </message>
    <message>
        <source>Ratio</source>
        <translation>倍率</translation>
    </message>
    <message>
        <source>Enter a ratio (1 = list price).</source>
        <translation>请输入倍率（1 = 原价）。</translation>
    </message>
    <message>
        <source>Internal error: wrong number of group names.</source>
        <translation>内部错误：分组名称数量不对。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a group name: use letters, digits, _ . -</source>
        <translation>“%1”不是有效的分组名：只能使用字母、数字和 _ . -</translation>
    </message>
    <message>
        <source>%1 is already in the table.</source>
        <translation>%1 已在表中。</translation>
    </message>
    <message numerus="yes">
        <source>remove %n group ratio(s)</source>
        <translation>
            <numerusform>删除 %n 个分组倍率</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::ImagePriceModel</name>
    <message>
        <source>any</source>
        <translation>任意</translation>
    </message>
    <message>
        <source>An image is charged the price of its size and quality, else of its size (quality &quot;any&quot;), else the model&apos;s default (size &quot;any&quot;).</source>
        <translation>每张图片按其尺寸和质量的价格计费；若无，则按该尺寸的价格（质量“任意”）；再无，则按模型的默认价格（尺寸“任意”）。</translation>
    </message>
    <message>
        <source>US$ per image; multiplied by the number of images and the group ratio.</source>
        <translation>每张图片的美元价格；乘以图片数量和分组倍率。</translation>
    </message>
    <message>
        <source>One image, before the group ratio (%1 quota = US$1).</source>
        <translation>单张图片，未乘分组倍率（%1 额度 = 1 美元）。</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <source>US$ / image</source>
        <translation>美元 / 张</translation>
    </message>
    <message>
        <source>Quota / image</source>
        <translation>额度 / 张</translation>
    </message>
    <message>
        <source>set %1 %2 to US$%3 per image</source>
        <translation>将 %1 %2 设为每张 %3 美元</translation>
    </message>
    <message>
        <source>%1 already has a price for %2.</source>
        <translation>%1 已有 %2 的价格。</translation>
    </message>
    <message>
        <source>add image price %1 %2</source>
        <translation>添加图片价格 %1 %2</translation>
    </message>
    <message numerus="yes">
        <source>remove %n image price(s)</source>
        <translation>
            <numerusform>删除 %n 个图片价格</numerusform>
        </translation>
    </message>
    <message>
        <source>remove image price %1 %2</source>
        <translation>删除图片价格 %1 %2</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::InstancesModel</name>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>lapsed</source>
        <translation>已失联</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <source>%1 (this console&apos;s own relay)</source>
        <translation>%1（本控制台自己的中继）</translation>
    </message>
    <message>
        <source>No heartbeat for longer than its lease (%1): crashed, hung or cut off from the database</source>
        <translation>超过租约时长（%1）没有心跳：已崩溃、卡死或与数据库断开</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) since it started</source>
        <translation>
            <numerusform>启动以来 %n 个请求</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (this)</source>
        <translation>%1（本机）</translation>
    </message>
    <message>
        <source>Requests per second over its last few seconds, as the instance publishes it with its live sessions</source>
        <translation>最近几秒内每秒请求数，由实例随其实时会话一同发布</translation>
    </message>
    <message>
        <source>Instance</source>
        <translation>实例</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>运行时长</translation>
    </message>
    <message>
        <source>Req/s</source>
        <translation>请求/秒</translation>
    </message>
    <message>
        <source>Live sessions</source>
        <translation>实时会话</translation>
    </message>
    <message>
        <source>Heartbeat</source>
        <translation>心跳</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::InstancesPage</name>
    <message>
        <source>Cannot read the instances: %1</source>
        <translation>无法读取实例：%1</translation>
    </message>
    <message>
        <source>%1 running of %2 listed · %3 live sessions</source>
        <translation>列出 %2 个，运行中 %1 个 · 实时会话 %3 个</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::IpListEdit</name>
    <message>
        <source>Every address. Or one per line, e.g.
203.0.113.7
10.0.0.0/8
2001:db8::/32</source>
        <translation>允许所有地址。或每行一个，例如
203.0.113.7
10.0.0.0/8
2001:db8::/32</translation>
    </message>
    <message>
        <source>Line %1: &quot;%2&quot; is not an IP address or CIDR (like 203.0.113.7, 10.0.0.0/8 or 2001:db8::/32).</source>
        <translation>第 %1 行：“%2”不是 IP 地址或 CIDR（如 203.0.113.7、10.0.0.0/8 或 2001:db8::/32）。</translation>
    </message>
    <message>
        <source>An IP list holds at most %1 entries (this one has %2).</source>
        <translation>IP 列表最多 %1 条（此列表有 %2 条）。</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::KeysModel</name>
    <message>
        <source>Only the start and end of a key are kept; the full key was shown once, when it was created.</source>
        <translation>只保留密钥的开头和结尾；完整密钥仅在创建时显示过一次。</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>unlimited</source>
        <translation>无限额度</translation>
    </message>
    <message>
        <source>never</source>
        <translation>永不</translation>
    </message>
    <message>
        <source>all models</source>
        <translation>全部模型</translation>
    </message>
    <message>
        <source>(user&apos;s group)</source>
        <translation>（用户所在分组）</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>剩余额度</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>已用</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>过期</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>enabled</source>
        <translation>已启用</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>已禁用</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>限制</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::LimitSettingsDialog</name>
    <message>
        <source>Limit settings</source>
        <translation>限制设置</translation>
    </message>
    <message>
        <source>Day, week and month budget windows of every user and key start at midnight in this zone</source>
        <translation>所有用户和密钥的日、周、月预算窗口都从此时区的午夜开始</translation>
    </message>
    <message>
        <source>None: the address checked is always the connection&apos;s.
Or one proxy per line, e.g. 10.0.0.0/8</source>
        <translation>无：始终检查连接本身的地址。
或每行一个代理，例如 10.0.0.0/8</translation>
    </message>
    <message>
        <source>Budget time zone:</source>
        <translation>预算时区：</translation>
    </message>
    <message>
        <source>Trusted proxies:</source>
        <translation>受信任的代理：</translation>
    </message>
    <message>
        <source>X-Forwarded-For is believed only when the connection comes from a trusted proxy.</source>
        <translation>仅当连接来自受信任的代理时才采信 X-Forwarded-For。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a time zone (an IANA name like Europe/Berlin).</source>
        <translation>“%1”不是时区（应为 IANA 名称，如 Europe/Berlin）。</translation>
    </message>
    <message>
        <source>No database is open.</source>
        <translation>数据库未打开。</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::LimitsDialog</name>
    <message>
        <source>Limits of user %1</source>
        <translation>用户 %1 的限制</translation>
    </message>
    <message>
        <source>Limits of key %1</source>
        <translation>密钥 %1 的限制</translation>
    </message>
    <message>
        <source>Rate limits</source>
        <translation>速率限制</translation>
    </message>
    <message>
        <source>Budget windows</source>
        <translation>预算窗口</translation>
    </message>
    <message>
        <source>Add window</source>
        <translation>添加窗口</translation>
    </message>
    <message>
        <source>Remove window</source>
        <translation>删除窗口</translation>
    </message>
    <message>
        <source>IP allow-list</source>
        <translation>IP 白名单</translation>
    </message>
    <message>
        <source>Requests are refused (403) from addresses outside the list; empty allows every address.</source>
        <translation>来自列表之外地址的请求将被拒绝 (403)；留空则允许所有地址。</translation>
    </message>
    <message>
        <source>No database is open.</source>
        <translation>数据库未打开。</translation>
    </message>
    <message>
        <source>Calendar windows count in %1 (Limit settings on the Users &amp; Keys page).</source>
        <translation>日历窗口按 %1 时区计算（在“用户与密钥”页的“限制设置”中更改）。</translation>
    </message>
    <message>
        <source>Spend alerts</source>
        <translation>消费提醒</translation>
    </message>
    <message>
        <source>Each fires once per crossing: a window&apos;s alert once per period, a balance alert again after a top-up. Shown here as a notification and posted to the alert webhook (relaydeskd admin alert-webhook).</source>
        <translation>每次越过阈值只提醒一次：预算窗口的提醒每个周期一次，余额提醒在充值后才会再次触发。提醒会在此处以通知显示，并发送到提醒 Webhook（relaydeskd admin alert-webhook）。</translation>
    </message>
    <message>
        <source>No alert has fired in its current period.</source>
        <translation>本周期内尚无提醒触发。</translation>
    </message>
    <message>
        <source>Fired and waiting for the next period or a top-up: %1</source>
        <translation>已触发，等待下个周期或充值：%1</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::LivePage</name>
    <message>
        <source>Filter by user, key, model, channel, state…</source>
        <translation>按用户、密钥、模型、渠道、状态筛选…</translation>
    </message>
    <message>
        <source>Show ended sessions</source>
        <translation>显示已结束的会话</translation>
    </message>
    <message>
        <source>Ended sessions stay listed (greyed) for two minutes</source>
        <translation>已结束的会话会以灰色保留两分钟</translation>
    </message>
    <message>
        <source>No session registry connected: live monitoring is unavailable.</source>
        <translation>未连接会话注册表：实时监控不可用。</translation>
    </message>
    <message>
        <source>Sessions: %1</source>
        <translation>会话：%1</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::LiveSessionsModel</name>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>active</source>
        <translation>活跃</translation>
    </message>
    <message>
        <source>streaming</source>
        <translation>流式传输中</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Upstream model: %1</source>
        <translation>上游模型：%1</translation>
    </message>
    <message>
        <source>Cached input tokens (text %1, audio %2, image %3)</source>
        <translation>缓存命中的输入令牌（文本 %1，音频 %2，图像 %3）</translation>
    </message>
    <message>
        <source>Realtime</source>
        <translation>Realtime</translation>
    </message>
    <message>
        <source>HTTP</source>
        <translation>HTTP</translation>
    </message>
    <message>
        <source>Responses</source>
        <translation>Responses</translation>
    </message>
    <message>
        <source>Responses WS</source>
        <translation>Responses WS</translation>
    </message>
    <message>
        <source>Text input tokens so far (cached included)</source>
        <translation>目前的文本输入令牌数（含缓存）</translation>
    </message>
    <message>
        <source>Text output tokens so far (reasoning included)</source>
        <translation>目前的文本输出令牌数（含推理）</translation>
    </message>
    <message>
        <source>Audio input tokens so far</source>
        <translation>目前的音频输入令牌数</translation>
    </message>
    <message>
        <source>Audio output tokens so far</source>
        <translation>目前的音频输出令牌数</translation>
    </message>
    <message>
        <source>Input tokens served from the prompt cache</source>
        <translation>由提示缓存提供的输入令牌</translation>
    </message>
    <message>
        <source>Quota charged so far</source>
        <translation>目前已扣除的额度</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Text in</source>
        <translation>文本输入</translation>
    </message>
    <message>
        <source>Text out</source>
        <translation>文本输出</translation>
    </message>
    <message>
        <source>Audio in</source>
        <translation>音频输入</translation>
    </message>
    <message>
        <source>Audio out</source>
        <translation>音频输出</translation>
    </message>
    <message>
        <source>Cached</source>
        <translation>缓存</translation>
    </message>
    <message>
        <source>Charged</source>
        <translation>已扣费</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>direct (WebRTC)</source>
        <translation>直连（WebRTC）</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>This console&apos;s own relay</source>
        <translation>本控制台自己的中继</translation>
    </message>
    <message>
        <source>local</source>
        <translation>本地</translation>
    </message>
    <message>
        <source>The relay instance serving the session</source>
        <translation>承载该会话的中继实例</translation>
    </message>
    <message>
        <source>Instance</source>
        <translation>实例</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::LogsModel</name>
    <message>
        <source>top-up</source>
        <translation>充值</translation>
    </message>
    <message>
        <source>consume</source>
        <translation>消费</translation>
    </message>
    <message>
        <source>manage</source>
        <translation>管理</translation>
    </message>
    <message>
        <source>system</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Upstream model: %1</source>
        <translation>上游模型：%1</translation>
    </message>
    <message>
        <source>stream</source>
        <translation>流式</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>补全</translation>
    </message>
    <message>
        <source>Quota</source>
        <translation>额度</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Stream</source>
        <translation>流式</translation>
    </message>
    <message>
        <source>Request ID</source>
        <translation>请求 ID</translation>
    </message>
    <message>
        <source>Model ratio</source>
        <translation>模型倍率</translation>
    </message>
    <message>
        <source>Completion ratio</source>
        <translation>补全倍率</translation>
    </message>
    <message>
        <source>Cache ratio</source>
        <translation>缓存倍率</translation>
    </message>
    <message>
        <source>Audio ratio</source>
        <translation>音频倍率</translation>
    </message>
    <message>
        <source>Audio completion ratio</source>
        <translation>音频补全倍率</translation>
    </message>
    <message>
        <source>Group ratio</source>
        <translation>分组倍率</translation>
    </message>
    <message>
        <source>User-group ratio</source>
        <translation>用户分组倍率</translation>
    </message>
    <message>
        <source>Fixed price (US$)</source>
        <translation>固定价格（美元）</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
    <message>
        <source>Text input tokens</source>
        <translation>文本输入令牌</translation>
    </message>
    <message>
        <source>Audio input tokens</source>
        <translation>音频输入令牌</translation>
    </message>
    <message>
        <source>Image input tokens</source>
        <translation>图像输入令牌</translation>
    </message>
    <message>
        <source>Cached text tokens</source>
        <translation>缓存文本令牌</translation>
    </message>
    <message>
        <source>Cached audio tokens</source>
        <translation>缓存音频令牌</translation>
    </message>
    <message>
        <source>Cached image tokens</source>
        <translation>缓存图像令牌</translation>
    </message>
    <message>
        <source>Cache write tokens</source>
        <translation>缓存写入令牌</translation>
    </message>
    <message>
        <source>Text output tokens</source>
        <translation>文本输出令牌</translation>
    </message>
    <message>
        <source>Audio output tokens</source>
        <translation>音频输出令牌</translation>
    </message>
    <message>
        <source>Reasoning tokens</source>
        <translation>推理令牌</translation>
    </message>
    <message>
        <source>First response (ms)</source>
        <translation>首字响应（毫秒）</translation>
    </message>
    <message>
        <source>Overage (quota beyond the balance)</source>
        <translation>超额（超出余额的额度）</translation>
    </message>
    <message>
        <source>Recovered after a crash</source>
        <translation>崩溃后已恢复</translation>
    </message>
    <message>
        <source>Log #%1 · %2 · %3</source>
        <translation>日志 #%1 · %2 · %3</translation>
    </message>
    <message>
        <source>User: %1 · Key: %2 · Channel: %3</source>
        <translation>用户：%1 · 密钥：%2 · 渠道：%3</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source> (upstream %1)</source>
        <translation>（上游 %1）</translation>
    </message>
    <message>
        <source>Tokens: %1 prompt + %2 completion</source>
        <translation>令牌：提示 %1 + 补全 %2</translation>
    </message>
    <message>
        <source>Charged: %1 (%2 quota)</source>
        <translation>扣费：%1（%2 额度）</translation>
    </message>
    <message>
        <source>Duration: %1 ms%2</source>
        <translation>耗时：%1 毫秒%2</translation>
    </message>
    <message>
        <source>, streamed</source>
        <translation>，流式</translation>
    </message>
    <message>
        <source>Request ID: %1</source>
        <translation>请求 ID：%1</translation>
    </message>
    <message>
        <source>Price snapshot: %1</source>
        <translation>价格快照：%1</translation>
    </message>
    <message>
        <source>Message: %1</source>
        <translation>消息：%1</translation>
    </message>
    <message>
        <source>Details:</source>
        <translation>详情：</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Response ID</source>
        <translation>响应 ID</translation>
    </message>
    <message>
        <source>Response status</source>
        <translation>响应状态</translation>
    </message>
    <message>
        <source>Cached tokens</source>
        <translation>缓存令牌</translation>
    </message>
    <message>
        <source>Built-in tool calls</source>
        <translation>内置工具调用</translation>
    </message>
    <message>
        <source>Tool-call quota</source>
        <translation>工具调用额度</translation>
    </message>
    <message>
        <source>Billed units</source>
        <translation>计费单位</translation>
    </message>
    <message>
        <source>Audio (seconds)</source>
        <translation>音频（秒）</translation>
    </message>
    <message>
        <source>Characters</source>
        <translation>字符数</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <source>Image size</source>
        <translation>图像尺寸</translation>
    </message>
    <message>
        <source>Image quality</source>
        <translation>图像质量</translation>
    </message>
    <message>
        <source>Endpoint: %1</source>
        <translation>端点：%1</translation>
    </message>
    <message>
        <source>disputed</source>
        <translation>有争议</translation>
    </message>
    <message>
        <source>overage</source>
        <translation>超额</translation>
    </message>
    <message>
        <source>recovered</source>
        <translation>已恢复</translation>
    </message>
    <message>
        <source>usage rejected</source>
        <translation>用量被拒</translation>
    </message>
    <message>
        <source>The upstream reported implausible usage; charged at most the hold (%1 quota). The reported figures are in the details.</source>
        <translation>上游报告的用量不合理；最多按预留额度计费（%1 额度）。上游报告的数字见详情。</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>Disputed (implausible upstream usage, charged at most the hold)</source>
        <translation>有争议（上游用量不合理，最多按预留额度计费）</translation>
    </message>
    <message>
        <source>Charged (capped at the hold)</source>
        <translation>已计费（以预留额度为上限）</translation>
    </message>
    <message>
        <source>Quota the upstream&apos;s figures would cost</source>
        <translation>按上游数字应计的额度</translation>
    </message>
    <message>
        <source>Malformed upstream usage (counted locally)</source>
        <translation>上游用量格式错误（本地计数）</translation>
    </message>
    <message>
        <source>DISPUTED: the upstream reported implausible usage; this row was charged at most the hold. Refund or top up after checking the upstream&apos;s bill.</source>
        <translation>有争议：上游报告的用量不合理；本条最多按预留额度计费。请核对上游账单后再退款或充值。</translation>
    </message>
    <message>
        <source>1-hour cache write tokens</source>
        <translation>1 小时缓存写入令牌</translation>
    </message>
    <message>
        <source>Cache write ratio (5 minutes)</source>
        <translation>缓存写入倍率（5 分钟）</translation>
    </message>
    <message>
        <source>Cache write ratio (1 hour)</source>
        <translation>缓存写入倍率（1 小时）</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::LogsPage</name>
    <message>
        <source>Last hour</source>
        <translation>最近 1 小时</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>全部时间</translation>
    </message>
    <message>
        <source>Custom range</source>
        <translation>自定义范围</translation>
    </message>
    <message>
        <source>All types</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>Model (exact)</source>
        <translation>模型（精确匹配）</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>用户：</translation>
    </message>
    <message>
        <source>Key:</source>
        <translation>密钥：</translation>
    </message>
    <message>
        <source>Channel:</source>
        <translation>渠道：</translation>
    </message>
    <message>
        <source>Select a log row to see its details.</source>
        <translation>选择一行日志以查看详情。</translation>
    </message>
    <message>
        <source>First</source>
        <translation>最新页</translation>
    </message>
    <message>
        <source>‹ Newer</source>
        <translation>‹ 较新</translation>
    </message>
    <message>
        <source>Older ›</source>
        <translation>较旧 ›</translation>
    </message>
    <message>
        <source>%1 per page</source>
        <translation>每页 %1 条</translation>
    </message>
    <message>
        <source>Export logs</source>
        <translation>导出日志</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Page %1 · rows %2–%3 of %4</source>
        <translation>第 %1 页 · 第 %2–%3 行，共 %4 行</translation>
    </message>
    <message>
        <source>Exporting logs…</source>
        <translation>正在导出日志…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>Only calls of one endpoint (chat, embeddings, transcription, speech, images, …)</source>
        <translation>只显示某一端点的调用（对话、嵌入、语音转写、语音合成、图像……）</translation>
    </message>
    <message>
        <source>All endpoints</source>
        <translation>所有端点</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::MainWindow</name>
    <message>
        <source>RelayDesk</source>
        <translation>RelayDesk</translation>
    </message>
    <message>
        <source>%1 (Ctrl+%2)</source>
        <translation>%1（Ctrl+%2）</translation>
    </message>
    <message>
        <source>No database is open, so there is nothing to show here. Start RelayDesk with a writable data directory (Settings → Data directory, or --data DIR).</source>
        <translation>数据库未打开，这里暂无内容。请使用可写的数据目录启动 RelayDesk（设置 → 数据目录，或 --data DIR）。</translation>
    </message>
    <message>
        <source>The pricing editor appears here once the billing service is connected.</source>
        <translation>计费服务连接后，价格编辑器将显示在这里。</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>Pricing</source>
        <translation>定价</translation>
    </message>
    <message>
        <source>Users &amp;&amp; Keys</source>
        <translation>用户与密钥</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>仪表盘</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>Simulate &amp;traffic</source>
        <translation>模拟流量(&amp;T)</translation>
    </message>
    <message>
        <source>Drive a few simulated chat and Realtime sessions so the console comes alive</source>
        <translation>生成一些模拟的聊天和 Realtime 会话，让控制台立即动起来</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Relay</source>
        <translation>中转(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Start relay</source>
        <translation>启动中转(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;top relay</source>
        <translation>停止中转(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About RelayDesk</source>
        <translation>关于 RelayDesk(&amp;A)</translation>
    </message>
    <message>
        <source>About RelayDesk</source>
        <translation>关于 RelayDesk</translation>
    </message>
    <message>
        <source>&lt;b&gt;RelayDesk&lt;/b&gt; %1&lt;br&gt;An OpenAI-compatible relay with a desktop console.&lt;br&gt;Data directory: %2</source>
        <translation>&lt;b&gt;RelayDesk&lt;/b&gt; %1&lt;br&gt;兼容 OpenAI 的中转服务与桌面控制台。&lt;br&gt;数据目录：%2</translation>
    </message>
    <message>
        <source>Show RelayDesk</source>
        <translation>显示 RelayDesk</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Relay stopped</source>
        <translation>中转已停止</translation>
    </message>
    <message>
        <source>Relay starting…</source>
        <translation>中转启动中…</translation>
    </message>
    <message>
        <source>Relay on %1</source>
        <translation>中转运行于 %1</translation>
    </message>
    <message>
        <source>Relay failed: %1</source>
        <translation>中转失败：%1</translation>
    </message>
    <message>
        <source>%1 · %2 req/s · live sessions: %3 · %4 tokens/min · %5 today</source>
        <translation>%1 · %2 请求/秒 · 实时会话：%3 · %4 令牌/分钟 · 今日 %5</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Relay failed</source>
        <translation>中转失败</translation>
    </message>
    <message>
        <source>Start the relay</source>
        <translation>启动中转服务</translation>
    </message>
    <message>
        <source>Stop the relay</source>
        <translation>停止中转服务</translation>
    </message>
    <message>
        <source>%1 req/s</source>
        <translation>%1 请求/秒</translation>
    </message>
    <message>
        <source>Live sessions: %1</source>
        <translation>实时会话：%1</translation>
    </message>
    <message>
        <source>%1 tokens/min</source>
        <translation>%1 令牌/分钟</translation>
    </message>
    <message>
        <source>%1 spent today</source>
        <translation>今日消耗 %1</translation>
    </message>
    <message>
        <source>Data: %1</source>
        <translation>数据：%1</translation>
    </message>
    <message>
        <source>Instances</source>
        <translation>实例</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::MessagesLogDetail</name>
    <message>
        <source>%1 (%2 quota)</source>
        <translation>%1（%2 额度）</translation>
    </message>
    <message>
        <source>Claude usage (input excludes cache reads and writes; each part at its own price):</source>
        <translation>Claude 用量（输入不含缓存读取和写入；每部分按各自价格计费）：</translation>
    </message>
    <message>
        <source>  %1: %2 tokens</source>
        <translation>  %1：%2 个令牌</translation>
    </message>
    <message>
        <source>  %1: %2 tokens · %3</source>
        <translation>  %1：%2 个令牌 · %3</translation>
    </message>
    <message>
        <source>  Fixed price per call: %1</source>
        <translation>  按次固定价格：%1</translation>
    </message>
    <message>
        <source>  web searches: %1 · %2</source>
        <translation>  网页搜索：%1 次 · %2</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::PricingModel</name>
    <message>
        <source>set %1 of %2 to %3</source>
        <translation>将 %2 的 %1 设为 %3</translation>
    </message>
    <message>
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>add %1</source>
        <translation>添加 %1</translation>
    </message>
    <message>
        <source>remove %1</source>
        <translation>删除 %1</translation>
    </message>
    <message>
        <source>US$ per 1M text input tokens (ModelRatio × $2). Editing it sets ModelRatio.</source>
        <translation>每 100 万文本输入令牌的美元价格（ModelRatio × $2）。修改它会改写 ModelRatio。</translation>
    </message>
    <message>
        <source>US$ per 1M text output tokens (input price × CompletionRatio). Editing it sets CompletionRatio.</source>
        <translation>每 100 万文本输出令牌的美元价格（输入价格 × CompletionRatio）。修改它会改写 CompletionRatio。</translation>
    </message>
    <message>
        <source>ModelRatio: the text input price; 1 means $2 per 1M input tokens. Every other ratio multiplies this one.</source>
        <translation>ModelRatio（模型倍率）：文本输入价格；1 表示每 100 万输入令牌 $2。其他倍率都在此基础上相乘。</translation>
    </message>
    <message>
        <source>CompletionRatio: how many times the input price one output token costs (reasoning included).</source>
        <translation>CompletionRatio（补全倍率）：一个输出令牌的价格是输入价格的多少倍（含推理令牌）。</translation>
    </message>
    <message>
        <source>CacheRatio: the share of the input price charged for a cached input token (0.1 = 90% off).</source>
        <translation>CacheRatio（缓存倍率）：缓存命中的输入令牌按输入价格的多少收费（0.1 = 一折）。</translation>
    </message>
    <message>
        <source>AudioRatio: how many times the text input price one audio input token costs.</source>
        <translation>AudioRatio（音频倍率）：一个音频输入令牌的价格是文本输入价格的多少倍。</translation>
    </message>
    <message>
        <source>AudioCompletionRatio: how many times the audio input price one audio output token costs.</source>
        <translation>AudioCompletionRatio（音频补全倍率）：一个音频输出令牌的价格是音频输入价格的多少倍。</translation>
    </message>
    <message>
        <source>AudioCacheRatio: the share of the audio input price charged for a cached audio token.</source>
        <translation>AudioCacheRatio（音频缓存倍率）：缓存命中的音频令牌按音频输入价格的多少收费。</translation>
    </message>
    <message>
        <source>ImageRatio: how many times the text input price one image input token costs.</source>
        <translation>ImageRatio（图像倍率）：一个图像输入令牌的价格是文本输入价格的多少倍。</translation>
    </message>
    <message>
        <source>ModelPrice: a fixed US$ price per call; when set, token ratios are ignored for this model.</source>
        <translation>ModelPrice（固定价格）：按次收取的固定美元价格；设置后，此模型不再按令牌倍率计费。</translation>
    </message>
    <message>
        <source>For %1 this is %2 per 1M tokens (before the group ratio).</source>
        <translation>对于 %1，相当于每 100 万令牌 %2（未乘分组倍率）。</translation>
    </message>
    <message>
        <source>%1 has no ModelRatio, so this ratio has no effect.</source>
        <translation>%1 没有 ModelRatio，因此此倍率不起作用。</translation>
    </message>
    <message>
        <source>fixed</source>
        <translation>固定</translation>
    </message>
    <message>
        <source>Prefix rule: applies to every model whose name starts with &quot;%1&quot; and has no entry of its own.</source>
        <translation>前缀规则：适用于名称以“%1”开头且没有单独配置的所有模型。</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>$ / 1M input</source>
        <translation>$ / 百万输入</translation>
    </message>
    <message>
        <source>$ / 1M output</source>
        <translation>$ / 百万输出</translation>
    </message>
    <message>
        <source>This cell cannot be edited.</source>
        <translation>此单元格不可编辑。</translation>
    </message>
    <message>
        <source>Enter a price in US$ per 1M tokens.</source>
        <translation>请输入每 100 万令牌的美元价格。</translation>
    </message>
    <message>
        <source>Set the input price first: the output price is a multiple of it.</source>
        <translation>请先设置输入价格：输出价格是它的倍数。</translation>
    </message>
    <message>
        <source>%1 needs a ModelRatio or a ModelPrice; clearing both would leave it without a price.</source>
        <translation>%1 需要 ModelRatio 或 ModelPrice；两者都清空将导致它没有价格。</translation>
    </message>
    <message>
        <source>Enter a model name.</source>
        <translation>请输入模型名称。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a model name: use letters, digits and . _ - : / @ +, optionally ending in * for a prefix rule.</source>
        <translation>“%1”不是有效的模型名：只能使用字母、数字和 . _ - : / @ +，结尾可加 * 表示前缀规则。</translation>
    </message>
    <message>
        <source>%1 is already in the table.</source>
        <translation>%1 已在表中。</translation>
    </message>
    <message numerus="yes">
        <source>remove %n model(s)</source>
        <translation>
            <numerusform>删除 %n 个模型</numerusform>
        </translation>
    </message>
    <message>
        <source>CreateCacheRatio: the multiple of the input price charged for writing a token into the prompt cache (Anthropic: a 5-minute write, 1.25).</source>
        <translation>CreateCacheRatio（缓存写入倍率）：写入提示缓存的令牌按输入价格的多少倍收费（Anthropic：5 分钟写入，1.25）。</translation>
    </message>
    <message>
        <source>CreateCacheRatio1h: the multiple of the input price charged for writing a token into the prompt cache for one hour (Anthropic&apos;s 1-hour writes; 2 when not set).</source>
        <translation>CreateCacheRatio1h（1 小时缓存写入倍率）：写入提示缓存并保留一小时的令牌按输入价格的多少倍收费（Anthropic 的 1 小时写入；未设置时为 2）。</translation>
    </message>
    <message>
        <source>Not set: the default (%1) applies.</source>
        <translation>未设置：使用默认值 %1。</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::PricingPage</name>
    <message>
        <source>Not valid JSON: %1 (at byte %2).</source>
        <translation>不是有效的 JSON：%1（位于第 %2 字节）。</translation>
    </message>
    <message>
        <source>Expected a JSON object of pricing maps.</source>
        <translation>应为包含定价表的 JSON 对象。</translation>
    </message>
    <message>
        <source>Search models…</source>
        <translation>搜索模型…</translation>
    </message>
    <message>
        <source>Add model…</source>
        <translation>添加模型…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Merge a new-api pricing JSON file into the draft (maps in the file replace the draft&apos;s)</source>
        <translation>将 new-api 定价 JSON 文件合并到草稿中（文件中出现的表会替换草稿中的同名表）</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Save the draft as new-api pricing JSON</source>
        <translation>将草稿保存为 new-api 定价 JSON</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>还原</translation>
    </message>
    <message>
        <source>Discard the draft and reload the prices in force</source>
        <translation>放弃草稿，重新载入当前生效的价格</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Validate the draft and put it in force for every new request (Ctrl+S)</source>
        <translation>校验草稿并对所有新请求生效（Ctrl+S）</translation>
    </message>
    <message>
        <source>Add model</source>
        <translation>添加模型</translation>
    </message>
    <message>
        <source>Model name (end with * for a prefix rule, e.g. gpt-4o*):</source>
        <translation>模型名称（以 * 结尾表示前缀规则，例如 gpt-4o*）：</translation>
    </message>
    <message>
        <source>Import pricing</source>
        <translation>导入定价</translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON 文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Imported %1 into the draft. Review, then Apply.</source>
        <translation>已将 %1 导入草稿。请检查后点击“应用”。</translation>
    </message>
    <message>
        <source>Export pricing</source>
        <translation>导出定价</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Exported the draft to %1.</source>
        <translation>已将草稿导出到 %1。</translation>
    </message>
    <message>
        <source>Not applied: %1</source>
        <translation>未应用：%1</translation>
    </message>
    <message>
        <source>Refused: %1</source>
        <translation>已拒绝：%1</translation>
    </message>
    <message>
        <source>The pricing service is not connected: prices can be viewed and exported but not applied.</source>
        <translation>未连接定价服务：价格只能查看和导出，不能应用。</translation>
    </message>
    <message>
        <source>Group ratios</source>
        <translation>分组倍率</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Add group ratio</source>
        <translation>添加分组倍率</translation>
    </message>
    <message>
        <source>User group, using group and ratio, separated by spaces (e.g. vip default 0.8):</source>
        <translation>用户分组、使用分组和倍率，用空格分隔（例如 vip default 0.8）：</translation>
    </message>
    <message>
        <source>Group and ratio, separated by a space (e.g. vip 0.8):</source>
        <translation>分组和倍率，用空格分隔（例如 vip 0.8）：</translation>
    </message>
    <message>
        <source>Every price is multiplied by the ratio of the group a key uses.</source>
        <translation>所有价格都会乘以密钥所用分组的倍率。</translation>
    </message>
    <message>
        <source>Overrides for a user group using another group (replaces that group&apos;s ratio).</source>
        <translation>某用户分组使用另一分组时的覆盖倍率（替换该分组的倍率）。</translation>
    </message>
    <message>
        <source>Calculator</source>
        <translation>计算器</translation>
    </message>
    <message>
        <source>Prices a sample usage with the draft, as the relay would after Apply</source>
        <translation>用草稿价格计算一次示例用量，结果与应用后中转的计费一致</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Group:</source>
        <translation>分组：</translation>
    </message>
    <message>
        <source>Text input tokens:</source>
        <translation>文本输入令牌：</translation>
    </message>
    <message>
        <source>  of which cached:</source>
        <translation>  其中缓存：</translation>
    </message>
    <message>
        <source>Audio input tokens:</source>
        <translation>音频输入令牌：</translation>
    </message>
    <message>
        <source>Image input tokens:</source>
        <translation>图像输入令牌：</translation>
    </message>
    <message>
        <source>Text output tokens:</source>
        <translation>文本输出令牌：</translation>
    </message>
    <message>
        <source>Audio output tokens:</source>
        <translation>音频输出令牌：</translation>
    </message>
    <message>
        <source>Applied: new requests use these prices (snapshot %1).</source>
        <translation>已应用：新请求将使用这些价格（快照 %1）。</translation>
    </message>
    <message>
        <source>Import refused: %1</source>
        <translation>导入被拒绝：%1</translation>
    </message>
    <message>
        <source>import pricing</source>
        <translation>导入定价</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>%1  (%2 quota)</source>
        <translation>%1（%2 额度）</translation>
    </message>
    <message>
        <source>Same as the prices in force.</source>
        <translation>与当前生效的价格相同。</translation>
    </message>
    <message>
        <source>Prices in force: %1 (%2 quota).</source>
        <translation>当前生效价格：%1（%2 额度）。</translation>
    </message>
    <message>
        <source>Not priced by the prices in force (%1).</source>
        <translation>当前生效的价格未给此模型定价（%1）。</translation>
    </message>
    <message>
        <source>Unapplied changes</source>
        <translation>有未应用的修改</translation>
    </message>
    <message>
        <source>Prices in force</source>
        <translation>价格已生效</translation>
    </message>
    <message>
        <source>Applying…</source>
        <translation>正在应用…</translation>
    </message>
    <message>
        <source>restore draft</source>
        <translation>恢复草稿</translation>
    </message>
    <message>
        <source>Built-in tool calls</source>
        <translation>内置工具调用</translation>
    </message>
    <message>
        <source>Responses built-in tools are billed per call, on top of the tokens, by output item type (multiplied by the group ratio).</source>
        <translation>Responses 内置工具按输出项类型逐次计费，在令牌费用之外另计（乘以分组倍率）。</translation>
    </message>
    <message>
        <source>Add tool price</source>
        <translation>添加工具价格</translation>
    </message>
    <message>
        <source>Output item type of the tool:</source>
        <translation>工具的输出项类型：</translation>
    </message>
    <message>
        <source>US$ per 1,000 calls of %1:</source>
        <translation>%1 每 1,000 次调用的美元价格：</translation>
    </message>
    <message>
        <source>Prices by unit</source>
        <translation>按单位计价</translation>
    </message>
    <message>
        <source>Audio by the minute (transcription such as whisper-1) and text by the character (speech such as tts-1), on top of any token price, multiplied by the group ratio.</source>
        <translation>音频按分钟计费（如 whisper-1 转写），文本按字符计费（如 tts-1 语音合成），在令牌费用之外另计，乘以分组倍率。</translation>
    </message>
    <message>
        <source>Images by the piece (dall-e-2, dall-e-3): the price of the size and quality, else of the size, else the model&apos;s default; multiplied by the number of images and the group ratio.</source>
        <translation>图片按张计费（dall-e-2、dall-e-3）：按尺寸和质量的价格，若无则按尺寸的价格，再无则按模型的默认价格；乘以图片数量和分组倍率。</translation>
    </message>
    <message>
        <source>Add unit prices</source>
        <translation>添加单位价格</translation>
    </message>
    <message>
        <source>Model name (end with * for a prefix rule):</source>
        <translation>模型名称（以 * 结尾表示前缀规则）：</translation>
    </message>
    <message>
        <source>US$ per minute of audio for %1 (empty = none):</source>
        <translation>%1 每分钟音频的美元价格（留空 = 无）：</translation>
    </message>
    <message>
        <source>US$ per 1M characters for %1 (empty = none):</source>
        <translation>%1 每 100 万字符的美元价格（留空 = 无）：</translation>
    </message>
    <message>
        <source>Add image price</source>
        <translation>添加图片价格</translation>
    </message>
    <message>
        <source>Model, size, quality and US$ per image, separated by spaces; write - for any size or quality (e.g. dall-e-3 1024x1792 hd 0.12, or dall-e-2 - - 0.02):</source>
        <translation>模型、尺寸、质量和每张图片的美元价格，以空格分隔；尺寸或质量写 - 表示任意（例如 dall-e-3 1024x1792 hd 0.12，或 dall-e-2 - - 0.02）：</translation>
    </message>
    <message>
        <source>Enter four values: model, size, quality and price (- for any size or quality).</source>
        <translation>请输入四个值：模型、尺寸、质量和价格（尺寸或质量写 - 表示任意）。</translation>
    </message>
    <message>
        <source>Audio seconds:</source>
        <translation>音频秒数：</translation>
    </message>
    <message>
        <source>Characters:</source>
        <translation>字符数：</translation>
    </message>
    <message>
        <source>Images:</source>
        <translation>图片数：</translation>
    </message>
    <message>
        <source>Size / quality:</source>
        <translation>尺寸 / 质量：</translation>
    </message>
    <message>
        <source>audio seconds</source>
        <translation>音频秒数</translation>
    </message>
    <message>
        <source>characters</source>
        <translation>字符</translation>
    </message>
    <message>
        <source>images of this size and quality</source>
        <translation>此尺寸和质量的图片</translation>
    </message>
    <message>
        <source>No price for %1: not charged.</source>
        <translation>%1 没有价格：不计费。</translation>
    </message>
    <message>
        <source>A fixed price per call includes the units.</source>
        <translation>按次固定价格已包含这些单位。</translation>
    </message>
    <message>
        <source>any size</source>
        <translation>任意尺寸</translation>
    </message>
    <message>
        <source>any quality</source>
        <translation>任意质量</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::QuotaEdit</name>
    <message>
        <source>Amount in US dollars</source>
        <translation>以美元表示的金额</translation>
    </message>
    <message>
        <source>The same amount in quota units (500 000 = $1)</source>
        <translation>以额度单位表示的同一金额（500 000 = $1）</translation>
    </message>
    <message>
        <source>= quota</source>
        <translation>= 额度</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::RateLimitsModel</name>
    <message>
        <source>Requests per minute (rpm)</source>
        <translation>每分钟请求数 (rpm)</translation>
    </message>
    <message>
        <source>Tokens per minute (tpm)</source>
        <translation>每分钟令牌数 (tpm)</translation>
    </message>
    <message>
        <source>Requests per day (rpd)</source>
        <translation>每天请求数 (rpd)</translation>
    </message>
    <message>
        <source>Concurrent requests</source>
        <translation>并发请求</translation>
    </message>
    <message>
        <source>none</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>%1 open</source>
        <translation>%1 个进行中</translation>
    </message>
    <message>
        <source>as calls finish</source>
        <translation>随调用结束释放</translation>
    </message>
    <message>
        <source>Empty or 0: no limit</source>
        <translation>留空或 0：不限制</translation>
    </message>
    <message>
        <source>Calls and sessions open now</source>
        <translation>当前打开的调用和会话</translation>
    </message>
    <message>
        <source>Counted in the current window</source>
        <translation>当前窗口内的计数</translation>
    </message>
    <message>
        <source>Limit</source>
        <translation>限制</translation>
    </message>
    <message>
        <source>Cap</source>
        <translation>上限</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>Window resets</source>
        <translation>窗口重置时间</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::RelayTrafficSimulator</name>
    <message>
        <source>nothing to send</source>
        <translation>没有可发送的内容</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::ResponsesLogDetail</name>
    <message>
        <source>Responses API endpoint: %1</source>
        <translation>Responses API 端点：%1</translation>
    </message>
    <message>
        <source>Response ID: %1</source>
        <translation>响应 ID：%1</translation>
    </message>
    <message>
        <source>(none reported)</source>
        <translation>（未报告）</translation>
    </message>
    <message>
        <source>Response status: %1</source>
        <translation>响应状态：%1</translation>
    </message>
    <message>
        <source>Cached tokens: %1 · cache write: %2 · reasoning: %3</source>
        <translation>缓存令牌：%1 · 缓存写入：%2 · 推理：%3</translation>
    </message>
    <message>
        <source>Built-in tool calls: none</source>
        <translation>内置工具调用：无</translation>
    </message>
    <message>
        <source>%1 × %2</source>
        <translation>%1 × %2</translation>
    </message>
    <message>
        <source>Built-in tool calls: %1 (%2 in all)</source>
        <translation>内置工具调用：%1（共 %2 次）</translation>
    </message>
    <message>
        <source>Tool-call charge: %1 (%2 quota), included in the charge above</source>
        <translation>工具调用费用：%1（%2 额度），已包含在上面的扣费中</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::SessionDetailView</name>
    <message>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>cached text</source>
        <translation>缓存文本</translation>
    </message>
    <message>
        <source>cached audio</source>
        <translation>缓存音频</translation>
    </message>
    <message>
        <source>cached image</source>
        <translation>缓存图像</translation>
    </message>
    <message>
        <source>reasoning</source>
        <translation>推理</translation>
    </message>
    <message>
        <source>Input tokens</source>
        <translation>输入令牌</translation>
    </message>
    <message>
        <source>Output tokens</source>
        <translation>输出令牌</translation>
    </message>
    <message>
        <source>Input cost</source>
        <translation>输入费用</translation>
    </message>
    <message>
        <source>Output cost</source>
        <translation>输出费用</translation>
    </message>
    <message>
        <source>Charged of reserved:</source>
        <translation>已扣费 / 预留：</translation>
    </message>
    <message>
        <source>The ledger holds a reservation before upstream work starts; charges are taken from it and the rest is released when the session settles.</source>
        <translation>在请求上游之前，账本会先预留额度；实际费用从预留中扣除，会话结算后释放剩余部分。</translation>
    </message>
    <message>
        <source>Event timeline</source>
        <translation>事件时间线</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Stop following new events (they are fetched when you resume)</source>
        <translation>停止跟随新事件（恢复后会补齐）</translation>
    </message>
    <message>
        <source>All directions</source>
        <translation>全部方向</translation>
    </message>
    <message>
        <source>From client</source>
        <translation>来自客户端</translation>
    </message>
    <message>
        <source>From upstream</source>
        <translation>来自上游</translation>
    </message>
    <message>
        <source>Relay</source>
        <translation>中转</translation>
    </message>
    <message>
        <source>Filter event types…</source>
        <translation>筛选事件类型…</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>No session selected</source>
        <translation>未选择会话</translation>
    </message>
    <message>
        <source>Select a session in the table above to see its token breakdown and events.</source>
        <translation>在上方表格中选择一个会话，查看其令牌明细和事件。</translation>
    </message>
    <message>
        <source>Session %1 · %2 · %3</source>
        <translation>会话 %1 · %2 · %3</translation>
    </message>
    <message>
        <source>user %1</source>
        <translation>用户 %1</translation>
    </message>
    <message>
        <source>key %1</source>
        <translation>密钥 %1</translation>
    </message>
    <message>
        <source>channel %1</source>
        <translation>渠道 %1</translation>
    </message>
    <message>
        <source>upstream model %1</source>
        <translation>上游模型 %1</translation>
    </message>
    <message>
        <source>%1 events</source>
        <translation>%1 个事件</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>ended: %1</source>
        <translation>已结束：%1</translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation>%1 个令牌</translation>
    </message>
    <message>
        <source>no price configured for %1</source>
        <translation>未给 %1 配置价格</translation>
    </message>
    <message>
        <source>%1 charged / %2 reserved</source>
        <translation>已扣 %1 / 预留 %2</translation>
    </message>
    <message>
        <source>Billed units</source>
        <translation>计费单位</translation>
    </message>
    <message>
        <source>What the call is billed for besides tokens: audio by the second, text by the character, images by the piece</source>
        <translation>除令牌外的计费内容：音频按秒、文本按字符、图像按张</translation>
    </message>
    <message>
        <source>%1 (no price configured for %2)</source>
        <translation>%1（未为 %2 配置价格）</translation>
    </message>
    <message>
        <source>5-minute cache write</source>
        <translation>5 分钟缓存写入</translation>
    </message>
    <message>
        <source>1-hour cache write</source>
        <translation>1 小时缓存写入</translation>
    </message>
    <message>
        <source>input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>cache reads</source>
        <translation>缓存读取</translation>
    </message>
    <message>
        <source>5-minute cache writes</source>
        <translation>5 分钟缓存写入</translation>
    </message>
    <message>
        <source>1-hour cache writes</source>
        <translation>1 小时缓存写入</translation>
    </message>
    <message>
        <source>output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Turns</source>
        <translation>轮次</translation>
    </message>
    <message numerus="yes">
        <source>%n turn(s), %1 charged</source>
        <translation>
            <numerusform>%n 个轮次，已扣费 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 · the oldest %2 no longer shown</source>
        <translation>%1 · 最早的 %2 个已不再显示</translation>
    </message>
    <message>
        <source>media %1</source>
        <translation>媒体 %1</translation>
    </message>
    <message>
        <source>Session on another instance</source>
        <translation>其他实例上的会话</translation>
    </message>
    <message>
        <source>Details are on instance %1. This console sees what that instance publishes: tokens, quota and state, about once a second.</source>
        <translation>详情在实例 %1 上。本控制台只能看到该实例发布的内容：令牌、额度和状态，约每秒更新一次。</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::SessionEventsModel</name>
    <message>
        <source>client → relay</source>
        <translation>客户端 → 中转</translation>
    </message>
    <message>
        <source>upstream → relay</source>
        <translation>上游 → 中转</translation>
    </message>
    <message>
        <source>relay</source>
        <translation>中转</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>令牌</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::SessionTurnsChart</name>
    <message>
        <source>input %1</source>
        <translation>输入 %1</translation>
    </message>
    <message>
        <source>output %1</source>
        <translation>输出 %1</translation>
    </message>
    <message>
        <source>Tokens per turn (last %1)</source>
        <translation>每轮令牌（最近 %1 轮）</translation>
    </message>
    <message>
        <source>Tokens per turn</source>
        <translation>每轮令牌</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::SessionTurnsModel</name>
    <message>
        <source>%1 text · %2 audio</source>
        <translation>文本 %1 · 音频 %2</translation>
    </message>
    <message>
        <source> · %1 image</source>
        <translation> · 图像 %1</translation>
    </message>
    <message>
        <source> (%1 cached)</source>
        <translation>（缓存 %1）</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1 ms (text)</source>
        <translation>%1 毫秒（文本）</translation>
    </message>
    <message>
        <source>%1 · transcription</source>
        <translation>%1 · 转写</translation>
    </message>
    <message>
        <source>Transcribed item %1</source>
        <translation>转写条目 %1</translation>
    </message>
    <message>
        <source>Response %1</source>
        <translation>响应 %1</translation>
    </message>
    <message>
        <source>Status: %1</source>
        <translation>状态：%1</translation>
    </message>
    <message>
        <source>Started: %1</source>
        <translation>开始：%1</translation>
    </message>
    <message>
        <source>Tokens counted by the relay (the upstream reported none it could bill)</source>
        <translation>令牌由中继自行计数（上游未报告可计费的用量）</translation>
    </message>
    <message>
        <source>Charged: %1 (the session&apos;s ledger charge steps by this turn)</source>
        <translation>扣费：%1（会话账本扣费中由本轮次增加的部分）</translation>
    </message>
    <message>
        <source>Turn</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Input tokens</source>
        <translation>输入令牌</translation>
    </message>
    <message>
        <source>Output tokens</source>
        <translation>输出令牌</translation>
    </message>
    <message>
        <source>Cached</source>
        <translation>缓存</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>延迟</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>127.0.0.1 accepts local clients only; 0.0.0.0 accepts clients from the network</source>
        <translation>127.0.0.1 只接受本机客户端；0.0.0.0 接受来自网络的客户端</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>Listen address:</source>
        <translation>监听地址：</translation>
    </message>
    <message>
        <source>Default location</source>
        <translation>默认位置</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Data directory:</source>
        <translation>数据目录：</translation>
    </message>
    <message>
        <source>US dollars ($)</source>
        <translation>美元（$）</translation>
    </message>
    <message>
        <source>Quota units (500 000 = $1)</source>
        <translation>额度单位（500 000 = $1）</translation>
    </message>
    <message>
        <source>Show money as:</source>
        <translation>金额显示为：</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>Data directory</source>
        <translation>数据目录</translation>
    </message>
    <message>
        <source>The listen address is empty.</source>
        <translation>监听地址为空。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is neither an IP address nor a host name.</source>
        <translation>“%1”既不是 IP 地址也不是主机名。</translation>
    </message>
    <message>
        <source>The data directory must be an absolute path.</source>
        <translation>数据目录必须是绝对路径。</translation>
    </message>
    <message>
        <source>The language and money display change immediately. A new listen address, port or data directory takes effect the next time RelayDesk starts.</source>
        <translation>语言和金额显示会立即生效。新的监听地址、端口或数据目录在下次启动 RelayDesk 时生效。</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::ToolPriceModel</name>
    <message>
        <source>set %1 to US$%2 per 1,000 calls</source>
        <translation>将 %1 设为每 1,000 次调用 %2 美元</translation>
    </message>
    <message>
        <source>add tool price %1</source>
        <translation>添加工具价格 %1</translation>
    </message>
    <message>
        <source>remove tool price %1</source>
        <translation>删除工具价格 %1</translation>
    </message>
    <message>
        <source>US$ per 1,000 %1 items in a response&apos;s output; multiplied by the group ratio.</source>
        <translation>响应输出中每 1,000 个 %1 项的美元价格；乘以分组倍率。</translation>
    </message>
    <message>
        <source>One call, before the group ratio (%1 quota = US$1). A response&apos;s tool calls are added to its token cost and rounded once.</source>
        <translation>单次调用，未乘分组倍率（%1 额度 = 1 美元）。一个响应的工具调用费用与其令牌费用相加后只取整一次。</translation>
    </message>
    <message>
        <source>Tool (output item type)</source>
        <translation>工具（输出项类型）</translation>
    </message>
    <message>
        <source>US$ / 1,000 calls</source>
        <translation>美元 / 1,000 次调用</translation>
    </message>
    <message>
        <source>US$ / call</source>
        <translation>美元 / 次</translation>
    </message>
    <message>
        <source>Quota / call</source>
        <translation>额度 / 次</translation>
    </message>
    <message>
        <source>Enter the tool&apos;s output item type, e.g. web_search_call.</source>
        <translation>请输入工具的输出项类型，例如 web_search_call。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an output item type: use letters, digits, _ . - (e.g. web_search_call).</source>
        <translation>“%1”不是有效的输出项类型：请使用字母、数字、_ . -（例如 web_search_call）。</translation>
    </message>
    <message>
        <source>%1 is already in the table.</source>
        <translation>%1 已在表中。</translation>
    </message>
    <message numerus="yes">
        <source>remove %n tool price(s)</source>
        <translation>
            <numerusform>删除 %n 个工具价格</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::UnitPriceModel</name>
    <message>
        <source>US$ per minute of audio (transcription by duration), prorated per millisecond; empty = not priced by the minute. Multiplied by the group ratio.</source>
        <translation>每分钟音频的美元价格（按时长转写），按毫秒折算；留空 = 不按分钟计费。乘以分组倍率。</translation>
    </message>
    <message>
        <source>US$ per 1M characters of input text (speech priced by the character); empty = not priced by the character. Multiplied by the group ratio.</source>
        <translation>每 100 万个输入字符的美元价格（按字符计费的语音合成）；留空 = 不按字符计费。乘以分组倍率。</translation>
    </message>
    <message>
        <source>Before the group ratio (%1 quota = US$1). Added to the call&apos;s token cost and rounded once.</source>
        <translation>未乘分组倍率（%1 额度 = 1 美元）。与该次调用的令牌费用相加后只取整一次。</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>US$ / minute</source>
        <translation>美元 / 分钟</translation>
    </message>
    <message>
        <source>Quota / minute</source>
        <translation>额度 / 分钟</translation>
    </message>
    <message>
        <source>US$ / 1M characters</source>
        <translation>美元 / 100 万字符</translation>
    </message>
    <message>
        <source>Quota / 1,000 characters</source>
        <translation>额度 / 1,000 字符</translation>
    </message>
    <message>
        <source>%1 would have no price left: remove the row instead.</source>
        <translation>%1 将没有任何价格：请改为删除该行。</translation>
    </message>
    <message>
        <source>set %1 to US$%2 per minute</source>
        <translation>将 %1 设为每分钟 %2 美元</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>set %1 to US$%2 per 1M characters</source>
        <translation>将 %1 设为每 100 万字符 %2 美元</translation>
    </message>
    <message>
        <source>%1 is already in the table.</source>
        <translation>%1 已在表中。</translation>
    </message>
    <message>
        <source>Enter a price per minute, per 1M characters, or both.</source>
        <translation>请输入每分钟价格、每 100 万字符价格，或两者。</translation>
    </message>
    <message>
        <source>add unit prices of %1</source>
        <translation>添加 %1 的单位价格</translation>
    </message>
    <message numerus="yes">
        <source>remove unit prices of %n model(s)</source>
        <translation>
            <numerusform>删除 %n 个模型的单位价格</numerusform>
        </translation>
    </message>
    <message>
        <source>remove unit prices of %1</source>
        <translation>删除 %1 的单位价格</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::UnitsLogDetail</name>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>Billed units: %1</source>
        <translation>计费单位：%1</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::UnitsText</name>
    <message>
        <source>%1 s of audio</source>
        <translation>%1 秒音频</translation>
    </message>
    <message>
        <source>1 character</source>
        <translation>1 个字符</translation>
    </message>
    <message>
        <source>%1 characters</source>
        <translation>%1 个字符</translation>
    </message>
    <message>
        <source>1 image</source>
        <translation>1 张图像</translation>
    </message>
    <message>
        <source>%1 images</source>
        <translation>%1 张图像</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::UsersKeysPage</name>
    <message>
        <source>&lt;b&gt;Users&lt;/b&gt;</source>
        <translation>&lt;b&gt;用户&lt;/b&gt;</translation>
    </message>
    <message>
        <source>New user…</source>
        <translation>新建用户…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Top up…</source>
        <translation>充值…</translation>
    </message>
    <message>
        <source>Enable / disable</source>
        <translation>启用 / 禁用</translation>
    </message>
    <message>
        <source>Add balance; the top-up is recorded in the logs</source>
        <translation>增加余额；充值会记录在日志中</translation>
    </message>
    <message>
        <source>New key…</source>
        <translation>新建密钥…</translation>
    </message>
    <message>
        <source>Quota…</source>
        <translation>额度…</translation>
    </message>
    <message>
        <source>&lt;b&gt;Keys of %1&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1 的密钥&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;All keys&lt;/b&gt;</source>
        <translation>&lt;b&gt;全部密钥&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid user name.</source>
        <translation>“%1”不是有效的用户名。</translation>
    </message>
    <message>
        <source>No user with id %1.</source>
        <translation>不存在 ID 为 %1 的用户。</translation>
    </message>
    <message>
        <source>A top-up must be more than zero.</source>
        <translation>充值金额必须大于零。</translation>
    </message>
    <message>
        <source>New user</source>
        <translation>新建用户</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Group:</source>
        <translation>分组：</translation>
    </message>
    <message>
        <source>Starting balance:</source>
        <translation>初始余额：</translation>
    </message>
    <message>
        <source>Edit %1</source>
        <translation>编辑 %1</translation>
    </message>
    <message>
        <source>Balance:</source>
        <translation>余额：</translation>
    </message>
    <message>
        <source>Setting the balance is logged as a manage entry; use Top up to add funds.</source>
        <translation>直接设置余额会记为一条管理日志；增加资金请使用“充值”。</translation>
    </message>
    <message>
        <source>Top up</source>
        <translation>充值</translation>
    </message>
    <message>
        <source>Amount:</source>
        <translation>金额：</translation>
    </message>
    <message>
        <source>Select the user the key belongs to first.</source>
        <translation>请先选择密钥所属的用户。</translation>
    </message>
    <message>
        <source>New key</source>
        <translation>新建密钥</translation>
    </message>
    <message>
        <source>Unlimited (the user&apos;s balance still applies)</source>
        <translation>无限额度（仍受用户余额限制）</translation>
    </message>
    <message>
        <source>all models; or e.g. gpt-4o-mini, gpt-realtime</source>
        <translation>全部模型；或例如 gpt-4o-mini, gpt-realtime</translation>
    </message>
    <message>
        <source>the user&apos;s group</source>
        <translation>用户所在分组</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>过期</translation>
    </message>
    <message>
        <source>Quota:</source>
        <translation>额度：</translation>
    </message>
    <message>
        <source>Model limits:</source>
        <translation>模型限制：</translation>
    </message>
    <message>
        <source>Expiry:</source>
        <translation>过期时间：</translation>
    </message>
    <message>
        <source>New key: %1</source>
        <translation>新密钥：%1</translation>
    </message>
    <message>
        <source>Copy this key now. RelayDesk keeps only a hash of it, so it will not be shown again — afterwards you will only see %1.</source>
        <translation>请立即复制此密钥。RelayDesk 只保存它的哈希值，之后不会再显示 —— 以后你只能看到 %1。</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Quota of %1</source>
        <translation>%1 的额度</translation>
    </message>
    <message>
        <source>Unlimited</source>
        <translation>无限额度</translation>
    </message>
    <message>
        <source>Remaining:</source>
        <translation>剩余：</translation>
    </message>
    <message>
        <source>No database is open.</source>
        <translation>数据库未打开。</translation>
    </message>
    <message>
        <source>Limits…</source>
        <translation>限制…</translation>
    </message>
    <message>
        <source>Rate limits, budget windows and IP allow-list of the selected user</source>
        <translation>所选用户的速率限制、预算窗口和 IP 白名单</translation>
    </message>
    <message>
        <source>Limit settings…</source>
        <translation>限制设置…</translation>
    </message>
    <message>
        <source>Budget time zone and trusted proxies</source>
        <translation>预算时区和受信任的代理</translation>
    </message>
    <message>
        <source>Rate limits, budget windows and IP allow-list of the selected key</source>
        <translation>所选密钥的速率限制、预算窗口和 IP 白名单</translation>
    </message>
    <message>
        <source>Select a user first.</source>
        <translation>请先选择一个用户。</translation>
    </message>
    <message>
        <source>Select a key first.</source>
        <translation>请先选择一个密钥。</translation>
    </message>
    <message>
        <source>IP list</source>
        <translation>IP 白名单</translation>
    </message>
</context>
<context>
    <name>RelayDesk::Ui::UsersModel</name>
    <message>
        <source>enabled</source>
        <translation>已启用</translation>
    </message>
    <message>
        <source>disabled</source>
        <translation>已禁用</translation>
    </message>
    <message>
        <source>%1 quota units</source>
        <translation>%1 额度单位</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>已用</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求数</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>限制</translation>
    </message>
</context>
</TS>
