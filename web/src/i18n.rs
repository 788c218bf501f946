//! The page's words in English and Traditional Chinese, keyed by message id. Kafka's own terms and
//! config keys (acks, ISR, HW, LEO, `linger.ms`) stay in English in both.

/// A display language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// 繁體中文.
    ZhTw,
}

impl Lang {
    /// The other language (the toggle's target).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::ZhTw,
            Lang::ZhTw => Lang::En,
        }
    }

    /// The BCP 47 tag for `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhTw => "zh-Hant-TW",
        }
    }
}

/// Every message: (id, English, 繁體中文).
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("lang.toggle", "繁中", "EN"),
    ("lang.toggle.title", "Switch the page to Traditional Chinese", "切換為英文介面"),
    ("profile", "profile", "版本"),
    ("seed", "seed", "隨機種子"),
    ("seed.title", "Seed of the simulation's random choices: change it and press Enter to rebuild", "模擬隨機選擇的種子：修改後按 Enter 重建"),
    ("play", "▶ play", "▶ 播放"),
    ("pause", "❚❚ pause", "❚❚ 暫停"),
    ("play.title", "Play or pause virtual time (space)", "播放或暫停虛擬時間（空白鍵）"),
    ("step", "step ▸", "單步 ▸"),
    ("step.title", "Advance to the next event (→ or PageDown)", "前進到下一個事件（→ 或 PageDown）"),
    ("back", "◂ back", "◂ 倒退"),
    ("back.title", "Step back in time (← or PageUp)", "倒退一步（← 或 PageUp）"),
    ("speed", "speed", "速度"),
    ("speed.title", "Virtual seconds per wall second (logarithmic; + and −)", "每秒實際時間對應的虛擬秒數（對數刻度；+ 與 −）"),
    ("time.title", "Virtual time", "虛擬時間"),
    ("help.button", "? keys", "? 快捷鍵"),
    ("produced", "produced", "已產生"),
    ("acked", "acked", "已確認"),
    ("consumed", "consumed", "已消費"),
    ("acked_lost", "acked-then-lost", "確認後遺失"),
    ("duplicates", "duplicates", "重複"),
    ("events", "events", "事件"),
    ("trace", "trace", "追蹤雜湊"),
    ("timeline", "timeline", "時間軸"),
    ("timeline.title", "Seek anywhere in the run: the past is re-simulated from the nearest snapshot", "拖曳到任何時間點：從最近的快照重新模擬過去"),
    ("timeline.live", "live", "即時"),
    ("timeline.fork", "new commands fork here", "新指令由此分岔"),
    ("timeline.replay", "replaying the recorded future · a new command forks here", "重播已記錄的未來 · 新指令會從這裡分岔"),
    ("tick.election", "election", "選舉"),
    ("tick.isr", "ISR change", "ISR 變更"),
    ("tick.truncation", "truncation", "截斷"),
    ("tick.rebalance", "rebalance", "再平衡"),
    ("tick.roll", "segment roll", "segment 滾動"),
    ("tick.fault", "command / fault", "指令 / 故障"),
    ("links", "links", "連線"),
    ("link.ok", "healthy", "正常"),
    ("link.cut", "cut", "已切斷"),
    ("link.slow", "slow", "緩慢"),
    ("menu.broker", "broker", "broker"),
    ("menu.crash", "crash (kill -9; page cache survives)", "當機（kill -9；page cache 保留）"),
    ("menu.power_loss", "power loss (unflushed bytes lost)", "斷電（未 flush 的資料遺失）"),
    ("menu.restart", "restart", "重新啟動"),
    ("menu.isolate", "isolate (cut all its links)", "隔離（切斷所有連線）"),
    ("menu.heal", "heal all its links", "修復所有連線"),
    ("menu.link", "link", "連線"),
    ("menu.cut", "cut", "切斷"),
    ("menu.heal_link", "heal", "修復"),
    ("menu.slow", "slow (+100 ms)", "變慢（+100 ms）"),
    ("menu.consumer", "consumer", "consumer"),
    ("menu.kill", "kill (no LeaveGroup)", "終止（不送 LeaveGroup）"),
    ("menu.restart_consumer", "restart", "重新啟動"),
    ("menu.close", "close", "關閉"),
    ("menu.hint", "Right-click (or press M) on a broker, consumer or link for faults", "在 broker、consumer 或連線上按右鍵（或按 M）注入故障"),
    ("tab.inspector", "inspector", "檢視器"),
    ("tab.events", "events", "事件紀錄"),
    ("tab.produce", "produce", "手動 produce"),
    ("panel.close", "close panel", "關閉面板"),
    ("produce.key", "key", "key"),
    ("produce.value", "value", "value"),
    ("produce.partition", "partition (empty: the partitioner picks)", "partition（空白：由 partitioner 決定）"),
    ("produce.send", "produce", "送出"),
    ("produce.sent", "produced by hand", "已手動送出"),
    ("inspector.empty", "Click a replica strip to inspect its segments.", "點選一個 replica 條帶以檢視其 segment。"),
    ("inspector.segments", "segments", "segments"),
    ("inspector.active", "active", "使用中"),
    ("inspector.hex", "bytes (hex)", "位元組（十六進位）"),
    ("inspector.batches", "batches (decoded)", "batches（解碼）"),
    ("inspector.index", ".index entries (offset → position)", ".index 項目（offset → 位置）"),
    ("inspector.timeindex", ".timeindex entries (timestamp → offset)", ".timeindex 項目（timestamp → offset）"),
    ("inspector.lookup", "find offset", "查找 offset"),
    ("inspector.lookup.go", "walk the index", "逐步查索引"),
    ("inspector.download", "download .log", "下載 .log"),
    ("inspector.refresh", "refresh", "重新整理"),
    ("inspector.none", "this replica has no log here", "此 replica 在這裡沒有 log"),
    ("inspector.probe", "binary search probe", "二分搜尋探測"),
    ("inspector.hit", "index hit", "索引命中"),
    ("inspector.scan", "scan batch", "掃描 batch"),
    ("inspector.found", "found in batch", "找到於 batch"),
    ("inspector.notfound", "offset outside the log", "offset 不在 log 範圍內"),
    ("events.all", "all", "全部"),
    ("events.empty", "nothing of this kind yet", "尚無此類事件"),
    ("help.title", "Keyboard shortcuts", "鍵盤快捷鍵"),
    ("help.space", "play / pause", "播放 / 暫停"),
    ("help.right", "step forward", "前進一步"),
    ("help.left", "step back", "倒退一步"),
    ("help.speed", "faster / slower", "加速 / 減速"),
    ("help.menu", "fault menu on the focused broker or consumer", "對聚焦的 broker 或 consumer 開啟故障選單"),
    ("help.help", "show / hide this help", "顯示 / 隱藏說明"),
    ("help.escape", "close menus and this help", "關閉選單與說明"),
    ("broker.up", "● up", "● 運作中"),
    ("broker.down", "✕ down", "✕ 已停止"),
    ("consumer.down", "✕ killed", "✕ 已終止"),
    ("consumer.unassigned", "not assigned", "未指派"),
    ("consumer.no_records", "no records yet", "尚無 records"),
    ("controller", "controller", "controller"),
    ("controller.electing", "electing…", "選舉中…"),
    ("controller.hidden", "internal, not drawn", "內部 topic，未繪出"),
    ("replica.osr", "out of sync", "不同步（OSR）"),
    ("what_happened", "what just happened", "剛剛發生了什麼"),
    ("tab.config", "config", "設定"),
    ("drop.title", "dropped file, decoded with the engine's RecordBatch decoder", "拖放的檔案，以引擎的 RecordBatch 解碼器解碼"),
    ("drop.error", "not a valid Kafka .log:", "不是有效的 Kafka .log："),
    ("lesson.reset", "↺ reset", "↺ 重來"),
    ("lesson.try", "try it yourself", "自己動手試"),
    ("file.save", "⤓ save", "⤓ 儲存"),
    ("file.save.title", "Download this scenario with the commands issued so far (JSON)", "下載此情境及目前下過的指令（JSON）"),
    ("file.load", "⤒ load", "⤒ 載入"),
    ("file.load.title", "Open a scenario file (JSON)", "開啟情境檔（JSON）"),
    ("presenter.title", "Presenter mode (P): large type for a projector, side panel hidden", "簡報模式（P）：放大字體以便投影，隱藏側邊面板"),
    ("help.presenter", "presenter mode (large type, no side panel)", "簡報模式（大字體、無側邊面板）"),
    ("config.intro", "Kafka's config keys of this run. ⚡ takes effect on the running cluster, as a command on the timeline (IncrementalAlterConfigs); ↻ needs a restart of the run, which replays your commands with the new value.", "此模擬的 Kafka 設定。⚡ 直接套用到執行中的叢集，並成為時間軸上的指令（IncrementalAlterConfigs）；↻ 需重新開始模擬，會以新值重播你下過的指令。"),
    ("config.value", "value", "值"),
    ("config.default", "default", "預設"),
    ("config.dynamic", "live: applied to the running cluster as a command", "即時：以指令套用到執行中的叢集"),
    ("config.restart", "needs a restart of the run", "需重新開始模擬"),
    ("config.applied", "applied as a command:", "已作為指令套用："),
    ("config.rebuilt", "run restarted with", "已重新開始模擬，使用"),
    ("config.refused", "refused:", "不接受："),
];

/// The message `id` in `lang`; the id itself when the table lacks it.
pub fn tr(lang: Lang, id: &'static str) -> &'static str {
    match MESSAGES.iter().find(|(k, _, _)| *k == id) {
        Some((_, en, zh)) => match lang {
            Lang::En => en,
            Lang::ZhTw => zh,
        },
        None => id,
    }
}
