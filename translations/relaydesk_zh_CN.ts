<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>RelayDesk::Ui::BreakdownBar</name>
    <message>
      <source>nothing yet</source>
      <translation>暂无数据</translation>
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
      <source>Realtime</source>
      <translation>Realtime</translation>
    </message>
    <message>
      <source>HTTP</source>
      <translation>HTTP</translation>
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
      <source>The language and money display change immediately. A new listen address or port restarts the relay; a new data directory takes effect the next time RelayDesk starts.</source>
      <translation>语言和金额显示会立即生效。修改监听地址或端口会重启中转服务；新的数据目录在下次启动 RelayDesk 时生效。</translation>
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
      <source>"%1" is neither an IP address nor a host name.</source>
      <translation>“%1”既不是 IP 地址也不是主机名。</translation>
    </message>
    <message>
      <source>The data directory must be an absolute path.</source>
      <translation>数据目录必须是绝对路径。</translation>
    </message>
  </context>
</TS>