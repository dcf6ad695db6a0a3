import OutpostJSON
import OutpostModel

/// The columns of the CSV files `outpost import` reads and `outpost export` writes: one per
/// entity field (the `customer` reference is the customer's **code**), headed by the field name
/// (`code`, `annualPurchase`); import also accepts the option spelling (`annual-purchase`),
/// Chinese headers (客户编码, 客户名称 …) and is indifferent to case, spaces and `_`.
///
/// ```swift
/// CSVColumns.field(forHeader: "客户名称", type: .customer)   // "name"
/// CSVColumns.exportHeader(.contact)                          // ["customer", "name", "title", …]
/// ```
public enum CSVColumns {
    /// Chinese (and other common) header names by entity and field.
    static let aliases: [EntityType: [String: [String]]] = [
        .customer: [
            "code": ["客户编码", "客户代码", "客户编号", "编码", "代码", "编号", "customer code"],
            "name": ["客户名称", "客户名", "名称", "公司名称", "企业名称", "customer name", "company"],
            "kind": ["客户类型", "类型", "type"],
            "tier": ["客户级别", "级别", "客户等级", "等级", "level"],
            "industry": ["行业", "所属行业"],
            "address": ["地址", "详细地址", "公司地址"],
            "region": ["区域", "地区", "片区"],
            "owner": ["负责人", "客户经理", "业务员", "销售"],
            "status": ["状态", "客户状态"],
            "creditRating": ["信用等级", "信用评级"],
            "annualPurchase": ["年采购额", "年采购金额", "年度采购额"],
            "notes": ["备注", "说明"],
            "creditCode": ["统一社会信用代码", "信用代码", "社会信用代码", "税号"],
            "mergedInto": [],
        ],
        .contact: [
            "customer": ["客户编码", "客户代码", "客户编号", "customer code"],
            "name": ["姓名", "联系人", "联系人姓名"],
            "title": ["职务", "职位"],
            "phones": ["电话", "手机", "联系电话", "手机号", "phone"],
            "email": ["邮箱", "电子邮件", "电子邮箱", "e-mail"],
            "decisionMaker": ["决策人", "是否决策人"],
        ],
        .visit: [
            "customer": ["客户编码", "客户代码", "客户编号", "customer code"],
            "plannedAt": ["计划时间", "计划拜访时间"],
            "actualAt": ["拜访时间", "实际时间", "实际拜访时间"],
            "method": ["拜访方式", "方式"],
            "purpose": ["目的", "拜访目的"],
            "summary": ["纪要", "拜访纪要", "拜访内容"],
            "outcome": ["结果", "拜访结果"],
            "nextStep": ["下一步", "下一步计划"],
            "satisfaction": ["满意度"],
            "survey": ["满意度调查", "调查"],
        ],
        .complaint: [
            "customer": ["客户编码", "客户代码", "客户编号", "customer code"],
            "receivedAt": ["受理时间", "投诉时间", "接收时间"],
            "channel": ["渠道", "投诉渠道"],
            "complainant": ["投诉人"],
            "content": ["投诉内容", "内容"],
            "category": ["类别", "责任类别", "投诉类别"],
            "status": ["状态", "处理状态"],
            "resolution": ["处理结果", "解决方案"],
        ],
    ]

    /// Chinese spellings of choice values, by field name.
    static let valueAliases: [String: [String: String]] = [
        "kind": ["企业": "enterprise", "公司": "enterprise", "个人": "individual", "渠道": "channel-partner",
                 "渠道伙伴": "channel-partner", "渠道商": "channel-partner", "代理商": "channel-partner", "租户": "tenant"],
        "tier": ["核心": "core", "核心客户": "core", "重要": "important", "重要客户": "important",
                 "潜在": "potential", "潜在客户": "potential", "一般": "general", "普通": "general", "一般客户": "general"],
        "method": ["上门": "onsite", "现场": "onsite", "拜访": "onsite", "电话": "phone", "邮件": "email", "视频": "video"],
    ]

    /// The fields of `type` in export order (customers leave out `mergedInto`).
    public static func exportHeader(_ type: EntityType) -> [String] {
        EntitySchema.for(type).fields.map(\.name).filter { $0 != CustomerMerge.mergedIntoField }
    }

    /// The entity field a CSV header names, or `nil` for a column import ignores.
    public static func field(forHeader header: String, type: EntityType) -> String? {
        let key = normalized(header)
        guard !key.isEmpty else { return nil }
        for name in exportHeader(type) {
            if normalized(name) == key { return name }
            if (aliases[type]?[name] ?? []).contains(where: { normalized($0) == key }) { return name }
        }
        return nil
    }

    /// A header without case, spaces, `_`, `-`, `*` (Excel's "required" mark) or a BOM.
    static func normalized(_ header: String) -> String {
        String(header.lowercased().unicodeScalars.filter { !" _-*\u{FEFF}\t（）()".unicodeScalars.contains($0) }
            .map(Character.init))
    }

    /// The value a choice field takes for `text` (case-insensitive; Chinese spellings accepted), or `nil`.
    static func choice(_ text: String, field: String, options: [String]) -> String? {
        if options.contains(text) { return text }
        if let found = options.first(where: { $0.lowercased() == text.lowercased() }) { return found }
        if let alias = valueAliases[field]?[text], options.contains(alias) { return alias }
        return nil
    }
}
